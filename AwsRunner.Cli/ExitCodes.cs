namespace AwsRunner.Cli;

/// <summary>The exit codes the README promises.</summary>
internal static class ExitCodes
{
    public const int Ok = 0;
    public const int JobFailed = 1;
    public const int BadInput = 2;
    public const int CloudError = 3;
    public const int Interrupted = 130;

    /// <summary>What each code means, as the help ends with it.</summary>
    public const string Help =
        "Exit codes: 0 ok; 1 a job failed (--wait) or was left out of fetch --merge; 2 bad input, nothing created; " +
        "3 a cloud or node error; 130 interrupted (Ctrl-C).";
}
