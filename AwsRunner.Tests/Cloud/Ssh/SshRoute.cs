namespace AwsRunner.Tests.Cloud.Ssh;

/// <summary>Which SSH transport a test node is reached with, as a user chooses it: a SOCKS5 proxy (in process) or an ssh_config (OpenSSH).</summary>
public enum SshRoute
{
    /// <summary>awsrunner's default, SSH.NET, through a SOCKS5 endpoint that leads the node's address to its sshd.</summary>
    Socks,

    /// <summary>The system's ssh with an ssh_config that sends the node's address to its sshd.</summary>
    SshConfig,
}
