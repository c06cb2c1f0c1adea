namespace AwsRunner.Core.Dispatch;

/// <summary>A node's <c>heartbeat.json</c>, as the runner writes it.</summary>
internal sealed record HeartbeatDocument(DateTimeOffset? Time, string? State, int Index, string? Started, string? Progress);
