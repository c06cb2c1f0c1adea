namespace AwsRunner.Core.Cloud;

/// <summary>An object in the result store.</summary>
/// <param name="Key">Its key, such as <c>NAME/jobs/0007/job.log</c>.</param>
/// <param name="Size">Its size in bytes.</param>
/// <param name="ETag">Its entity tag: changes whenever the content does.</param>
/// <param name="LastModified">When it was last written.</param>
internal sealed record StoredObject(string Key, long Size, string ETag, DateTimeOffset LastModified)
{
    /// <summary>
    /// The MD5 of its content (lowercase hex) when the store's listing tells it, or null. On S3 this is the ETag of an
    /// object written in one piece, as nodes write theirs; with KMS encryption the ETag is not the MD5 after all,
    /// which only ever makes a local copy look different, never the same.
    /// </summary>
    public string? ContentMd5 { get; init; }
}
