namespace AwsRunner.Core.Dispatch;

/// <summary>
/// The results archive as its node packed it, from status.json: fetch checks what it downloaded against these.
/// </summary>
/// <param name="Bytes">Its size.</param>
/// <param name="Sha256">Its SHA-256, lower-case hex.</param>
/// <param name="Parts">
/// The keys of the objects it went up as, in order, when it was larger than one part: the node's own part objects
/// (<c>NAME/parts/NODE/00003</c>, ...). Empty when it went up whole, as the attempt's <c>results.tar.gz</c>.
/// </param>
/// <param name="PartBytes">The size of each part but the last, when it went up in parts.</param>
internal sealed record PackedArchive(long Bytes, string Sha256, IReadOnlyList<string>? Parts = null, long PartBytes = 0);
