namespace AwsRunner.Core.Cloud.Ssh.OpenSsh;

/// <summary>Reads what a failed <c>ssh</c> or <c>scp</c> said on its error output.</summary>
internal static class OpenSshFailure
{
    private static readonly string[] ConfigurationErrors =
        ["Bad configuration option", "bad configuration options", "Can't open user config file", "command-line line", "garbage at end of line"];

    /// <summary>The error for an ssh run that did not report the remote command's exit status.</summary>
    public static CloudException From(NodeInstance node, string attempting, ShellResult result, string knownHostsFile)
    {
        var error = result.Error;
        if (error.Contains("Host key verification failed", StringComparison.Ordinal))
        {
            return SshFailure.Changed(node, attempting, knownHostsFile);
        }

        var detail = LastLines(error) is { Length: > 0 } lines
            ? lines
            : $"ssh exited with code {result.ExitCode} before the command reported its exit status";
        return ConfigurationErrors.Any(e => error.Contains(e, StringComparison.Ordinal))
            ? new CloudException(SshFailure.BadConfiguration, $"{attempting} on {SshFailure.Describe(node)}", detail, hint: "check the file given with SshOptions.ConfigFile")
            : SshFailure.NotReached(node, attempting, detail);
    }

    public static CloudException MissingClient(Exception error) =>
        new(SshFailure.ClientMissing, "start the OpenSSH client (ssh)", error.Message,
            hint: "install OpenSSH's client (Debian and Ubuntu: apt-get install openssh-client) and put ssh on the PATH", inner: error);

    public static string LastLines(string error) =>
        string.Join("; ", error.ReplaceLineEndings("\n").Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).TakeLast(3));
}
