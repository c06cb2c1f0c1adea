namespace AwsRunner.Bench.Infrastructure;

/// <summary>One run of a command: how long it took, what it cost, what it said.</summary>
/// <param name="Wall">Wall time, start to exit.</param>
/// <param name="Cpu">User plus system CPU time of the process and its children, or null when it could not be read.</param>
/// <param name="PeakKiB">Peak resident memory in KiB (VmHWM), or null when it could not be read.</param>
/// <param name="ExitCode">The exit code.</param>
/// <param name="Output">Standard output.</param>
/// <param name="Error">Standard error.</param>
internal sealed record ToolResult(TimeSpan Wall, TimeSpan? Cpu, long? PeakKiB, int ExitCode, string Output, string Error);
