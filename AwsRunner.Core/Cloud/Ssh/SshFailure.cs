namespace AwsRunner.Core.Cloud.Ssh;

/// <summary>Turns a failure of the ssh client itself into a <see cref="CloudException"/> whose code says whether waiting may help.</summary>
internal static class SshFailure
{
    /// <summary>The node did not answer or refused us (booting, key not yet installed, network); may pass.</summary>
    public const string Unreachable = "SshUnreachable";

    /// <summary>The node's host key is not the one recorded on first contact.</summary>
    public const string HostKeyChanged = "HostKeyChanged";

    /// <summary>ssh rejected its configuration (the user's ssh_config or an option).</summary>
    public const string BadConfiguration = "SshConfig";

    /// <summary>The OpenSSH client is not installed.</summary>
    public const string ClientMissing = "SshMissing";

    private static readonly string[] ConfigurationErrors =
        ["Bad configuration option", "bad configuration options", "Can't open user config file", "command-line line", "garbage at end of line"];

    public static bool MayPass(CloudException error) => error.Code == Unreachable;

    public static string Describe(NodeInstance node) =>
        $"job {node.JobIndex}'s node {node.InstanceId} ({node.Address ?? "no address"})";

    /// <summary>The error for an ssh run that did not report the remote command's exit status.</summary>
    public static CloudException From(NodeInstance node, string attempting, ShellResult result, string knownHostsFile)
    {
        var error = result.Error;
        if (error.Contains("Host key verification failed", StringComparison.Ordinal))
        {
            return new CloudException(HostKeyChanged, $"{attempting} on {Describe(node)}",
                $"the node's host key differs from the one recorded in {knownHostsFile} when it was first reached; " +
                "the connection may be intercepted, so nothing was sent",
                hint: $"if you know the node's key really changed, forget the old one with: ssh-keygen -f {knownHostsFile} -R {node.InstanceId}");
        }

        var detail = LastLines(error) is { Length: > 0 } lines
            ? lines
            : $"ssh exited with code {result.ExitCode} before the command reported its exit status";
        return ConfigurationErrors.Any(e => error.Contains(e, StringComparison.Ordinal))
            ? new CloudException(BadConfiguration, $"{attempting} on {Describe(node)}", detail, hint: "check the file given with --ssh-config")
            : new CloudException(Unreachable, $"{attempting} on {Describe(node)}", detail);
    }

    public static CloudException MissingClient(Exception error) =>
        new(ClientMissing, "start the OpenSSH client (ssh)", error.Message,
            hint: "install OpenSSH's client (Debian and Ubuntu: apt-get install openssh-client) and put ssh on the PATH", inner: error);

    private static string LastLines(string error) =>
        string.Join("; ", error.ReplaceLineEndings("\n").Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).TakeLast(3));
}
