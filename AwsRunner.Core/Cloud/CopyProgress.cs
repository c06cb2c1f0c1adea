namespace AwsRunner.Core.Cloud;

/// <summary>How far a copy to or from a node has come with one file.</summary>
public sealed class CopyProgress
{
    /// <summary>The file being copied (its name).</summary>
    public required string File { get; init; }

    /// <summary>The bytes of it copied so far.</summary>
    public long Copied { get; init; }

    /// <summary>Its size in bytes.</summary>
    public long Size { get; init; }
}
