namespace AwsRunner.Core.Cloud;

/// <summary>What a command run on a node gave back.</summary>
/// <param name="ExitCode">Its exit code.</param>
/// <param name="Output">Its standard output.</param>
/// <param name="Error">Its standard error.</param>
internal sealed record ShellResult(int ExitCode, string Output, string Error);
