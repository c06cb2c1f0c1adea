namespace AwsRunner.Core.Cloud.Ssh;

/// <summary>
/// How awsrunner reaches its nodes over SSH. Without <see cref="ConfigFile"/> it talks SSH itself, in this process
/// (SSH.NET), straight to each node's address or through the SOCKS5 proxy <see cref="Proxy"/>; with it, every command
/// is the system's OpenSSH client (<c>ssh -F ConfigFile</c>), for what only an ssh_config can say (ProxyJump,
/// bastions, ProxyCommand).
/// </summary>
/// <remarks>
/// Both transports use the batch's own key (<c>$AWSRUNNER_HOME/NAME/key.pem</c>) and the batch's own known_hosts
/// (<c>$AWSRUNNER_HOME/NAME/known_hosts</c>, OpenSSH's format, host keys recorded under the instance's id): the first
/// contact records a node's key, a changed key is refused. The user's own <c>~/.ssh/known_hosts</c> is never read or
/// written, and no agent or port is forwarded. With OpenSSH, awsrunner's settings are given as <c>-o</c> options and win
/// over the file; since <c>-F</c> makes ssh read only that file, a bastion set in <c>~/.ssh/config</c> must then be in it.
/// </remarks>
public sealed class SshOptions
{
    /// <summary>The defaults: the in-process transport, straight to each node, as <see cref="Defaults.SshUser"/>.</summary>
    public SshOptions()
    {
    }

    /// <summary>A copy of <paramref name="other"/>, for an object initializer to change.</summary>
    internal SshOptions(SshOptions other)
    {
        User = other.User;
        ConfigFile = other.ConfigFile;
        Proxy = other.Proxy;
        ConnectTimeout = other.ConnectTimeout;
        BootTimeout = other.BootTimeout;
        MaxConnecting = other.MaxConnecting;
        MaxOpenConnections = other.MaxOpenConnections;
    }

    /// <summary>The login name on the nodes (the image's default user; <c>ubuntu</c> on Ubuntu images).</summary>
    public string User { get; init; } = Defaults.SshUser;

    /// <summary>An ssh_config file: reach the nodes with the system's <c>ssh -F</c> instead of in process; none when null.</summary>
    public string? ConfigFile { get; init; }

    /// <summary>A SOCKS5 proxy (<c>socks5://HOST:PORT</c>) the in-process transport reaches the nodes through; none when null.</summary>
    public Uri? Proxy { get; init; }

    /// <summary>How long one connection attempt may take.</summary>
    public TimeSpan ConnectTimeout { get; init; } = Defaults.SshConnectTimeout;

    /// <summary>How long a node may take, from its launch, to answer SSH; a node launched earlier is still tried once.</summary>
    public TimeSpan BootTimeout { get; init; } = Defaults.BootTimeout;

    /// <summary>How many connections may be opening (TCP, key exchange, login) at once, however many nodes wait.</summary>
    public int MaxConnecting { get; init; } = Defaults.SshMaxConnecting;

    /// <summary>How many connections the in-process transport keeps open at once; the least recently used idle one is closed past it.</summary>
    public int MaxOpenConnections { get; init; } = Defaults.SshMaxOpenConnections;

    /// <summary>Whether the nodes are reached with the system's OpenSSH client rather than in process.</summary>
    internal bool UsesOpenSsh => ConfigFile is not null;

    /// <summary>Checks every setting, and makes the ssh_config file's path absolute.</summary>
    /// <returns>The options as the shells use them.</returns>
    /// <exception cref="InvalidInputException">A setting is wrong, the ssh_config file is missing, or both a file and a proxy are given.</exception>
    internal SshOptions Validated()
    {
        if (string.IsNullOrWhiteSpace(User) || User.StartsWith('-') || User.Any(char.IsWhiteSpace))
        {
            throw new InvalidInputException("Option", $"SshOptions.User \"{User}\": give the login name on the nodes, such as {Defaults.SshUser}");
        }

        if (ConnectTimeout <= TimeSpan.Zero || BootTimeout < TimeSpan.Zero)
        {
            throw new InvalidInputException("Option", "the SSH connect and boot timeouts must be positive");
        }

        if (MaxConnecting < 1 || MaxOpenConnections < 1)
        {
            throw new InvalidInputException("Option", "at least one SSH connection must be allowed to open, and to stay open");
        }

        if (ConfigFile is not null && Proxy is not null)
        {
            throw new InvalidInputException("Option",
                "SshOptions.ConfigFile and SshOptions.Proxy exclude each other: put the proxy into the ssh_config file (ProxyCommand), or leave the file out");
        }

        if (Proxy is { } proxy && (proxy.Scheme != "socks5" || proxy.Host.Length == 0 || proxy.IsDefaultPort || proxy.AbsolutePath != "/" || proxy.UserInfo.Length > 0))
        {
            throw new InvalidInputException("Option", $"SshOptions.Proxy \"{proxy.OriginalString}\": give a SOCKS5 proxy as socks5://HOST:PORT");
        }

        if (ConfigFile is not { } config)
        {
            return this;
        }

        return File.Exists(config)
            ? new SshOptions(this) { ConfigFile = Path.GetFullPath(config) }
            : throw new InvalidInputException("Option", $"SshOptions.ConfigFile \"{config}\": no such file");
    }
}
