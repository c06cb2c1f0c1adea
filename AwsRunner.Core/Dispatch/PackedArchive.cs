namespace AwsRunner.Core.Dispatch;

/// <summary>
/// The results archive as its node packed it, from status.json: fetch checks what it downloaded against these.
/// </summary>
/// <param name="Bytes">Its size.</param>
/// <param name="Sha256">Its SHA-256, lower-case hex.</param>
/// <param name="Parts">How many objects it went up as: 1, <c>results.tar.gz</c>; more, <c>results.tar.gz.part-00001</c>, ...</param>
/// <param name="PartBytes">The size of each part but the last, when it went up in parts.</param>
internal sealed record PackedArchive(long Bytes, string Sha256, int Parts = 1, long PartBytes = 0);
