using System.Collections.ObjectModel;
using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace AwsRunner.Core.Cloud.Ssh;

/// <summary>
/// The <c>ssh</c> command lines for a node: awsrunner's key, the batch's known_hosts and one shared connection
/// (ControlMaster) per node, given as <c>-o</c> options so that they win over the user's ssh_config.
/// </summary>
internal sealed class SshCommandLine
{
    private const string Program = "ssh";

    // 64 bits of a hash: sockets of different nodes never meet, and the path stays short.
    private const int HashBytes = 8;

    // ssh binds "<ControlPath>.<16 random characters>" before renaming it, and a unix socket's path has at most
    // 104 bytes on macOS (108 on Linux), the terminating zero included.
    private const int SocketPathLimit = 103 - 17;

    private const string ServerAliveInterval = "15";
    private const string ServerAliveCountMax = "4";

    // Long enough to bridge the pauses between the polls of one awsrunner run; the run closes it when it ends.
    private const string ControlPersist = "120";

    private readonly SshOptions options;
    private readonly string home;

    public SshCommandLine(SshOptions options, string home)
    {
        this.options = options;
        this.home = home;
        SocketFolder = Path.Combine(home, ".cm");
        var longest = Encoding.UTF8.GetByteCount(Path.Combine(SocketFolder, new string('0', 2 * HashBytes)));
        if (longest > SocketPathLimit)
        {
            throw new InvalidInputException("Home",
                $"$AWSRUNNER_HOME ({home}) is too long for ssh's connection sockets, which must fit in {SocketPathLimit} bytes " +
                $"({longest} here); set AWSRUNNER_HOME to a shorter folder");
        }
    }

    /// <summary>Where the shared connections' sockets live; only this user may use them.</summary>
    public string SocketFolder { get; }

    /// <summary>Creates the socket folder, and the batch's folder without which ssh could not record host keys.</summary>
    public void CreateFolders(NodeInstance node)
    {
        Directory.CreateDirectory(AwsRunnerHome.BatchFolder(home, node.Batch));
        Directory.CreateDirectory(SocketFolder);
        if (!OperatingSystem.IsWindows())
        {
            // A socket of a shared connection lets whoever can open it run commands on the node.
            File.SetUnixFileMode(SocketFolder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    public string KnownHostsFile(NodeInstance node) => Path.Combine(AwsRunnerHome.BatchFolder(home, node.Batch), "known_hosts");

    public string KeyFile(NodeInstance node) => Path.Combine(AwsRunnerHome.BatchFolder(home, node.Batch), "key.pem");

    /// <summary>The socket of the node's shared connection: a short hash of everything that tells connections apart.</summary>
    public string ControlPath(NodeInstance node)
    {
        var identity = string.Join('\n', node.Batch, node.InstanceId, node.Address, options.User, options.ConfigFile);
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(identity)).AsSpan(0, HashBytes));
        return Path.Combine(SocketFolder, hash);
    }

    /// <summary>Runs a command without a terminal, its standard streams piped.</summary>
    public ProcessStartInfo Run(NodeInstance node, string remoteCommand) => Start(node, ["-T"], remoteCommand);

    /// <summary>Runs a command, or the login shell when null, on this terminal (with a remote one when asked).</summary>
    public ProcessStartInfo Attach(NodeInstance node, string? remoteCommand, bool terminal) =>
        Start(node, [terminal ? "-t" : "-T"], remoteCommand);

    /// <summary>Asks the node's shared connection to end.</summary>
    public ProcessStartInfo Exit(NodeInstance node) => Start(node, ["-O", "exit"], null);

    private ProcessStartInfo Start(NodeInstance node, string[] mode, string? remoteCommand)
    {
        var address = node.Address ?? throw new ArgumentException("the node has no address", nameof(node));
        var start = new ProcessStartInfo(Program) { UseShellExecute = false };
        var arguments = start.ArgumentList;
        if (options.ConfigFile is { } config)
        {
            arguments.Add("-F");
            arguments.Add(config);
        }

        var key = KeyFile(node);
        if (File.Exists(key))
        {
            arguments.Add("-i");
            arguments.Add(EscapeTokens(key));
        }

        arguments.Add("-l");
        arguments.Add(options.User);
        Add(arguments, "IdentitiesOnly", "yes");
        Add(arguments, "BatchMode", "yes");
        Add(arguments, "ConnectTimeout", Math.Max(1, (int)Math.Ceiling(options.ConnectTimeout.TotalSeconds)).ToString(CultureInfo.InvariantCulture));
        Add(arguments, "ServerAliveInterval", ServerAliveInterval);
        Add(arguments, "ServerAliveCountMax", ServerAliveCountMax);
        Add(arguments, "StrictHostKeyChecking", "accept-new");
        Add(arguments, "UserKnownHostsFile", EscapeTokens(KnownHostsFile(node)));
        Add(arguments, "GlobalKnownHostsFile", "/dev/null");

        // Host keys are recorded under the instance's id rather than its address: cloud addresses are reused,
        // an instance's key is not, and a proxy (ProxyCommand) may put many nodes behind one address.
        Add(arguments, "HostKeyAlias", node.InstanceId);
        Add(arguments, "CheckHostIP", "no");
        Add(arguments, "UpdateHostKeys", "no");
        Add(arguments, "ControlMaster", "auto");
        Add(arguments, "ControlPath", EscapeTokens(ControlPath(node)));
        Add(arguments, "ControlPersist", ControlPersist);

        // Keeps ssh's notices ("Permanently added ... to the list of known hosts") out of the command's own error output.
        Add(arguments, "LogLevel", "ERROR");
        foreach (var word in mode)
        {
            arguments.Add(word);
        }

        arguments.Add("--");
        arguments.Add(address);
        if (remoteCommand is not null)
        {
            arguments.Add(remoteCommand);
        }

        return start;
    }

    private static void Add(Collection<string> arguments, string name, string value)
    {
        arguments.Add("-o");
        arguments.Add(name + "=" + ConfigWord(value));
    }

    // ssh splits an -o line into words the way it reads ssh_config: double quotes keep spaces, backslash escapes.
    private static string ConfigWord(string value) =>
        value.Length > 0 && !value.Any(c => char.IsWhiteSpace(c) || c is '"' or '\'' or '\\' or '#')
            ? value
            : "\"" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";

    // File options expand %-tokens (%h, %r, ...), so a literal % in a path is written %%.
    private static string EscapeTokens(string path) => path.Replace("%", "%%", StringComparison.Ordinal);
}
