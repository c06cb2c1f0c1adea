namespace AwsRunner.Core.Cloud;

/// <summary>The URLs a node PUTs its objects to; they carry their own authority, so no credential reaches the node.</summary>
/// <param name="Heartbeat">For <c>heartbeat.json</c>.</param>
/// <param name="Status">For <c>status.json</c>.</param>
/// <param name="Log">For <c>job.log</c>.</param>
/// <param name="Results">For <c>results.tar.gz</c>.</param>
public sealed record JobUploadUrls(Uri Heartbeat, Uri Status, Uri Log, Uri Results)
{
    /// <summary>The most one URL takes, in bytes: S3's limit for a single PUT (5 GiB). The local cloud keeps it too.</summary>
    public const long MaxObjectBytes = 5L << 30;

    /// <summary>For the parts of a results archive larger than one part, in order: <c>results.tar.gz.part-00001</c>, ...</summary>
    public IReadOnlyList<Uri> ResultParts { get; init; } = [];
}
