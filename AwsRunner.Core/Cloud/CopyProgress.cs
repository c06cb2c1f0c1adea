namespace AwsRunner.Core.Cloud;

/// <summary>How far a copy to or from a node has come with one file.</summary>
/// <param name="File">The file being copied (its name).</param>
/// <param name="Copied">The bytes of it copied so far.</param>
/// <param name="Size">Its size in bytes.</param>
public sealed record CopyProgress(string File, long Copied, long Size);
