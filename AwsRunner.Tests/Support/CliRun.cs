namespace AwsRunner.Tests.Support;

/// <summary>What one run of the awsrunner command gave back.</summary>
internal sealed record CliRun(int ExitCode, string Output, string Error)
{
    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Output}\n--- stderr\n{Error}";
}
