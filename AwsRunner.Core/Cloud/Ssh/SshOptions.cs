namespace AwsRunner.Core.Cloud.Ssh;

/// <summary>
/// How awsrunner reaches its nodes with the system's OpenSSH client (<c>ssh</c> on the PATH).
/// </summary>
/// <remarks>
/// awsrunner always passes the login name, its own key (<c>$AWSRUNNER_HOME/NAME/key.pem</c>), a known_hosts file of the batch
/// (<c>$AWSRUNNER_HOME/NAME/known_hosts</c>, host keys recorded under the instance's id) and its own connection
/// sharing settings on the command line; these win over any configuration file. Without <see cref="ConfigFile"/>,
/// <c>ssh</c> reads <c>~/.ssh/config</c> and <c>/etc/ssh/ssh_config</c> as usual; with it, it reads only that file
/// (OpenSSH's <c>-F</c>), so a bastion or ProxyCommand set in <c>~/.ssh/config</c> must then be copied into it.
/// The user's own <c>~/.ssh/known_hosts</c> is never read or written.
/// </remarks>
public sealed record SshOptions
{
    /// <summary>The login name on the nodes (the image's default user; <c>ubuntu</c> on Ubuntu images).</summary>
    public string User { get; init; } = "ubuntu";

    /// <summary>An ssh_config file passed to <c>ssh -F</c> (bastions, ProxyJump, ProxyCommand); none when null.</summary>
    public string? ConfigFile { get; init; }

    /// <summary>How long one connection attempt may take (OpenSSH's <c>ConnectTimeout</c>, whole seconds).</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a booting node may refuse or ignore connections before it is reported unreachable.</summary>
    public TimeSpan BootTimeout { get; init; } = TimeSpan.FromMinutes(5);
}
