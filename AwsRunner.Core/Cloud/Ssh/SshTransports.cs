using AwsRunner.Core.Cloud.Ssh.OpenSsh;
using AwsRunner.Core.Cloud.Ssh.SshNet;
using Microsoft.Extensions.Logging;

namespace AwsRunner.Core.Cloud.Ssh;

/// <summary>Opens the node shells of the SSH transports, and reads back what a batch remembers of its transport.</summary>
internal static class SshTransports
{
    private const string OpenSshKind = "openssh";
    private const string SshNetKind = "ssh.net";
    private const string UserSetting = "user";
    private const string ConfigSetting = "config";
    private const string ProxySetting = "proxy";

    /// <summary>
    /// Shells over SSH as <paramref name="options"/> say: in process (SSH.NET), or with the system's OpenSSH client when
    /// an ssh_config file is given. Dispose them to close their connections.
    /// </summary>
    /// <param name="options">User, ssh_config file or proxy, timeouts and limits.</param>
    /// <param name="home">The awsrunner home (<c>$AWSRUNNER_HOME</c>): keys in <c>NAME/key.pem</c>, known hosts in <c>NAME/known_hosts</c>.</param>
    /// <param name="time">The clock the wait for a booting node runs on.</param>
    /// <param name="loggers">Where the shells log.</param>
    /// <returns>The shells.</returns>
    /// <exception cref="InvalidInputException">An option is wrong, or the home's path is too long for OpenSSH's sockets.</exception>
    public static INodeShell Open(SshOptions options, string home, TimeProvider time, ILoggerFactory loggers)
    {
        ArgumentNullException.ThrowIfNull(options);
        var valid = options.Validated();
        var files = new BatchSshFiles(Path.GetFullPath(home));
        var transport = Describe(valid);
        return valid.UsesOpenSsh
            ? new OpenSshShell(valid, transport, new SshCommandLine(valid, files), files, time, loggers.CreateLogger<OpenSshShell>())
            : new SshNetShell(valid, transport, files, time, loggers);
    }

    /// <summary>The options a batch's nodes were reached with, from what the batch remembers of its transport.</summary>
    /// <param name="transport">The transport the batch recorded.</param>
    /// <returns>The options; null when the batch's nodes were not reached over SSH.</returns>
    public static SshOptions? Remembered(ShellTransport? transport)
    {
        if (transport is not { Kind: OpenSshKind or SshNetKind })
        {
            return null;
        }

        var settings = transport.Settings;
        return new SshOptions
        {
            User = settings.GetValueOrDefault(UserSetting) ?? Defaults.SshUser,
            ConfigFile = transport.Kind == OpenSshKind ? settings.GetValueOrDefault(ConfigSetting) : null,
            Proxy = transport.Kind == SshNetKind && settings.GetValueOrDefault(ProxySetting) is { } proxy ? new Uri(proxy) : null,
        };
    }

    private static ShellTransport Describe(SshOptions options)
    {
        var settings = new Dictionary<string, string>(StringComparer.Ordinal) { [UserSetting] = options.User };
        if (options.ConfigFile is { } config)
        {
            settings[ConfigSetting] = config;
        }

        if (options.Proxy is { } proxy)
        {
            settings[ProxySetting] = proxy.ToString().TrimEnd('/');
        }

        return new ShellTransport(options.UsesOpenSsh ? OpenSshKind : SshNetKind, settings);
    }
}
