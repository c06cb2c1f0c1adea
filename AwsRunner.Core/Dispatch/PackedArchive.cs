namespace AwsRunner.Core.Dispatch;

/// <summary>
/// The results archive as its node packed it, from status.json: fetch checks what it downloaded against these.
/// </summary>
/// <param name="Bytes">Its size.</param>
/// <param name="Sha256">Its SHA-256, lower-case hex.</param>
internal sealed record PackedArchive(long Bytes, string Sha256);
