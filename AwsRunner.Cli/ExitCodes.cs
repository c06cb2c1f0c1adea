namespace AwsRunner.Cli;

/// <summary>The exit codes the README promises.</summary>
internal static class ExitCodes
{
    public const int Ok = 0;
    public const int JobFailed = 1;
    public const int BadInput = 2;
    public const int CloudError = 3;
    public const int Interrupted = 130;
}
