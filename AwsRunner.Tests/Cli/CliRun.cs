namespace AwsRunner.Tests.Cli;

/// <summary>What one run of the awsrunner command gave back.</summary>
internal sealed record CliRun(int ExitCode, string Output, string Error);
