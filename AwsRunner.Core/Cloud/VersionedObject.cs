namespace AwsRunner.Core.Cloud;

/// <summary>A small object as read, with the version it was read at, for a write back on that condition.</summary>
internal sealed class VersionedObject
{
    /// <summary>Pairs an object's bytes with their version.</summary>
    /// <param name="content">Its bytes.</param>
    /// <param name="etag">Its version.</param>
    public VersionedObject(byte[] content, string etag)
    {
        Content = content;
        ETag = etag;
    }

    /// <summary>Its bytes.</summary>
    public byte[] Content { get; }

    /// <summary>Its version: a later conditional write succeeds only while the object is still this one.</summary>
    public string ETag { get; }
}
