namespace AwsRunner.Core.Cloud.Ssh;

/// <summary>Turns a failure to reach a node over SSH into a <see cref="CloudException"/> whose code says whether waiting may help.</summary>
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

    /// <summary>A copy to or from the node failed on the node's side (no such file, no room, no permission).</summary>
    public const string CopyFailed = "CopyFailed";

    public static bool MayPass(CloudException error) => error.Code == Unreachable;

    public static string Describe(NodeInstance node) =>
        $"job {node.JobIndex}'s node {node.InstanceId} ({node.Address ?? "no address"})";

    public static CloudException Changed(NodeInstance node, string attempting, string knownHostsFile, Exception? inner = null) =>
        new(HostKeyChanged, $"{attempting} on {Describe(node)}",
            $"the node's host key differs from the one recorded in {knownHostsFile} when it was first reached; " +
            "the connection may be intercepted, so nothing was sent",
            hint: $"if you know the node's key really changed, forget the old one with: ssh-keygen -f {knownHostsFile} -R {node.InstanceId}",
            inner: inner);

    public static CloudException NotReached(NodeInstance node, string attempting, string detail, Exception? inner = null) =>
        new(Unreachable, $"{attempting} on {Describe(node)}", detail, inner: inner);

    public static CloudException Copy(NodeInstance node, string attempting, string detail, Exception? inner = null) =>
        new(CopyFailed, $"{attempting} on {Describe(node)}", detail, inner: inner);

    public static CloudException NoAddress(NodeInstance node) =>
        new("NoAddress", $"reach {Describe(node)}", "the instance has no address (yet)");
}
