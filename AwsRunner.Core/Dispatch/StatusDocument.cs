namespace AwsRunner.Core.Dispatch;

/// <summary>A job's <c>status.json</c>, as the runner writes it once the command has ended.</summary>
internal sealed record StatusDocument(int Index, string? Job, int ExitCode, DateTimeOffset? Started, DateTimeOffset? Finished, string? Host);
