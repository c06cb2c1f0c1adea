namespace AwsRunner.Core.Dispatch;

/// <summary>
/// An attempt's <c>heartbeat.json</c>, as the runner writes it: the node that runs it and its attempt number, the errors
/// only when an upload or the power-off failed.
/// </summary>
internal sealed record HeartbeatDocument(
    DateTimeOffset? Time, string? State, int Index, string? Started, string? Progress, string? UploadError = null, string? PoweroffError = null,
    string? Node = null, int Attempt = 1);
