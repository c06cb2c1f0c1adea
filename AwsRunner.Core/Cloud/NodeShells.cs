using AwsRunner.Core.Cloud.Ssh;
using Microsoft.Extensions.Logging;

namespace AwsRunner.Core.Cloud;

/// <summary>Opens the node shells a <see cref="CloudConnection"/> is built from.</summary>
public static class NodeShells
{
    /// <summary>
    /// Shells over the system's OpenSSH client: one shared connection (ControlMaster) per node, closed when the shell
    /// is disposed; the batch's key and known_hosts under <paramref name="home"/>; see <see cref="SshOptions"/>.
    /// </summary>
    /// <param name="options">User, ssh_config file and timeouts.</param>
    /// <param name="home">The awsrunner home (<c>$AWSRUNNER_HOME</c>): keys in <c>NAME/key.pem</c>, known hosts in <c>NAME/known_hosts</c>, sockets in <c>.cm/</c>.</param>
    /// <param name="time">The clock the wait for a booting node runs on.</param>
    /// <param name="loggers">Where the shell logs.</param>
    /// <returns>The shells; dispose them to close the connections.</returns>
    /// <exception cref="InvalidInputException">An option is wrong, the ssh_config file is missing, or the home's path is too long for a socket.</exception>
    public static INodeShell OpenSsh(SshOptions options, string home, TimeProvider time, ILoggerFactory loggers)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrWhiteSpace(options.User) || options.User.StartsWith('-'))
        {
            throw new InvalidInputException("Option", $"--ssh-user \"{options.User}\": give the login name on the nodes, such as ubuntu");
        }

        if (options.ConnectTimeout <= TimeSpan.Zero || options.BootTimeout < TimeSpan.Zero)
        {
            throw new InvalidInputException("Option", "the SSH connect and boot timeouts must be positive");
        }

        var resolved = options;
        if (options.ConfigFile is { } config)
        {
            if (!File.Exists(config))
            {
                throw new InvalidInputException("Option", $"--ssh-config \"{config}\": no such file");
            }

            resolved = options with { ConfigFile = Path.GetFullPath(config) };
        }

        return new SshNodeShell(resolved, new SshCommandLine(resolved, Path.GetFullPath(home)), time, loggers.CreateLogger<SshNodeShell>());
    }
}
