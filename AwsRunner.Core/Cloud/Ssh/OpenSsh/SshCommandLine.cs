using System.Collections.ObjectModel;
using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using AwsRunner.Core.Node;

namespace AwsRunner.Core.Cloud.Ssh.OpenSsh;

/// <summary>
/// The <c>ssh</c> and <c>scp</c> command lines for a node: awsrunner's key, the batch's known_hosts, no forwarding of
/// any kind and, for the OpenSSH transport, one shared connection (ControlMaster) per node, all given as <c>-o</c>
/// options so that they win over the user's ssh_config.
/// </summary>
internal sealed class SshCommandLine
{
    private const string SshProgram = "ssh";
    private const string ScpProgram = "scp";

    // ssh_config's word for "read no configuration file at all" (-F none).
    private const string NoConfigFile = "none";

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
    private readonly BatchSshFiles files;
    private readonly bool shareConnections;

    /// <summary>Command lines for the OpenSSH transport: the options' ssh_config, one shared connection per node.</summary>
    public SshCommandLine(SshOptions options, BatchSshFiles files)
        : this(options, files, shareConnections: true)
    {
        SocketFolder = Path.Combine(files.Home, ".cm");
        var longest = Encoding.UTF8.GetByteCount(Path.Combine(SocketFolder, new string('0', 2 * HashBytes)));
        if (longest > SocketPathLimit)
        {
            throw new InvalidInputException("Home",
                $"$AWSRUNNER_HOME ({files.Home}) is too long for ssh's connection sockets, which must fit in {SocketPathLimit} bytes " +
                $"({longest} here); set AWSRUNNER_HOME to a shorter folder");
        }
    }

    private SshCommandLine(SshOptions options, BatchSshFiles files, bool shareConnections)
    {
        this.options = options;
        this.files = files;
        this.shareConnections = shareConnections;
    }

    /// <summary>Where the shared connections' sockets live; only this user may use them. Null when connections are not shared.</summary>
    public string? SocketFolder { get; }

    /// <summary>
    /// Command lines for one session of the in-process transport's user on this terminal: no configuration file,
    /// no shared connection; everything the in-process transport knows is given on the command line.
    /// </summary>
    public static SshCommandLine Standalone(SshOptions options, BatchSshFiles files) =>
        new(new SshOptions(options) { ConfigFile = NoConfigFile }, files, shareConnections: false);

    /// <summary>Creates the socket folder, and the batch's folder without which ssh could not record host keys.</summary>
    public void CreateFolders(NodeInstance node)
    {
        files.CreateBatchFolder(node);
        if (SocketFolder is null)
        {
            return;
        }

        Directory.CreateDirectory(SocketFolder);
        if (!OperatingSystem.IsWindows())
        {
            // A socket of a shared connection lets whoever can open it run commands on the node.
            File.SetUnixFileMode(SocketFolder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    /// <summary>The socket of the node's shared connection: a short hash of everything that tells connections apart.</summary>
    public string ControlPath(NodeInstance node)
    {
        var identity = string.Join('\n', node.Batch, node.InstanceId, node.Address, options.User, options.ConfigFile);
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(identity)).AsSpan(0, HashBytes));
        return Path.Combine(SocketFolder ?? throw new InvalidOperationException("connections are not shared"), hash);
    }

    /// <summary>Runs a command without a terminal, its standard streams piped.</summary>
    public ProcessStartInfo Run(NodeInstance node, string remoteCommand) => Ssh(node, ["-T"], remoteCommand, null);

    /// <summary>
    /// Runs a command, or the login shell when null, on this terminal (with a remote one when asked); at
    /// <paramref name="relay"/> instead of the node's address when given (a local port that leads to the node).
    /// </summary>
    public ProcessStartInfo Attach(NodeInstance node, string? remoteCommand, bool terminal, (string Host, int Port)? relay = null) =>
        Ssh(node, [terminal ? "-t" : "-T"], remoteCommand, relay);

    /// <summary>Asks the node's shared connection to end.</summary>
    public ProcessStartInfo Exit(NodeInstance node) => Ssh(node, ["-O", "exit"], null, null);

    /// <summary>
    /// Copies a file or folder to the node (scp -r), with scp's progress meter on this terminal unless
    /// <paramref name="quiet"/>. The original SCP protocol (-O) is used: it needs no sftp server on the node.
    /// </summary>
    public ProcessStartInfo CopyTo(NodeInstance node, string localPath, string remotePath, bool quiet) =>
        Scp(node, quiet, localPath, Remote(node, remotePath));

    /// <summary>Copies a file or folder from the node (scp -r), as <see cref="CopyTo"/>.</summary>
    public ProcessStartInfo CopyFrom(NodeInstance node, string remotePath, string localPath, bool quiet) =>
        Scp(node, quiet, Remote(node, remotePath), localPath);

    private ProcessStartInfo Ssh(NodeInstance node, string[] mode, string? remoteCommand, (string Host, int Port)? relay)
    {
        var start = Start(SshProgram, node, relay);
        var arguments = start.ArgumentList;
        foreach (var word in mode)
        {
            arguments.Add(word);
        }

        arguments.Add("--");
        arguments.Add(Address(node));
        if (remoteCommand is not null)
        {
            arguments.Add(remoteCommand);
        }

        return start;
    }

    private ProcessStartInfo Scp(NodeInstance node, bool quiet, string from, string to)
    {
        var start = Start(ScpProgram, node, null);
        var arguments = start.ArgumentList;
        arguments.Add("-O");
        arguments.Add("-r");
        arguments.Add("-p");
        if (quiet)
        {
            arguments.Add("-q");
        }

        arguments.Add("--");
        arguments.Add(from);
        arguments.Add(to);
        return start;
    }

    private ProcessStartInfo Start(string program, NodeInstance node, (string Host, int Port)? relay)
    {
        var start = new ProcessStartInfo(program) { UseShellExecute = false };
        var arguments = start.ArgumentList;
        if (options.ConfigFile is { } config)
        {
            arguments.Add("-F");
            arguments.Add(config);
        }

        var key = files.KeyFile(node);
        if (File.Exists(key))
        {
            arguments.Add("-i");
            arguments.Add(EscapeTokens(key));
        }

        Add(arguments, "User", options.User);
        if (relay is var (host, port))
        {
            Add(arguments, "HostName", host);
            Add(arguments, "Port", port.ToString(CultureInfo.InvariantCulture));
        }

        Add(arguments, "IdentitiesOnly", "yes");
        Add(arguments, "BatchMode", "yes");
        Add(arguments, "ConnectTimeout", Math.Max(1, (int)Math.Ceiling(options.ConnectTimeout.TotalSeconds)).ToString(CultureInfo.InvariantCulture));
        Add(arguments, "ServerAliveInterval", ServerAliveInterval);
        Add(arguments, "ServerAliveCountMax", ServerAliveCountMax);

        // Nothing of this machine's reaches the node: no agent, no ports either way, whatever the ssh_config says.
        Add(arguments, "ForwardAgent", "no");
        Add(arguments, "ForwardX11", "no");
        Add(arguments, "ClearAllForwardings", "yes");
        Add(arguments, "StrictHostKeyChecking", "accept-new");
        Add(arguments, "UserKnownHostsFile", EscapeTokens(files.KnownHostsFile(node)));
        Add(arguments, "GlobalKnownHostsFile", "/dev/null");

        // Host keys are recorded under the instance's id rather than its address: cloud addresses are reused,
        // an instance's key is not, and a proxy (ProxyCommand) may put many nodes behind one address. Plain, not
        // hashed, so that the in-process transport reads the same file.
        Add(arguments, "HostKeyAlias", node.InstanceId);
        Add(arguments, "HashKnownHosts", "no");
        Add(arguments, "CheckHostIP", "no");
        Add(arguments, "UpdateHostKeys", "no");
        if (shareConnections)
        {
            Add(arguments, "ControlMaster", "auto");
            Add(arguments, "ControlPath", EscapeTokens(ControlPath(node)));
            Add(arguments, "ControlPersist", ControlPersist);
        }
        else
        {
            Add(arguments, "ControlMaster", "no");
            Add(arguments, "ControlPath", "none");
        }

        // Keeps ssh's notices ("Permanently added ... to the list of known hosts") out of the command's own error output.
        Add(arguments, "LogLevel", "ERROR");
        return start;
    }

    private static string Address(NodeInstance node) => node.Address ?? throw new ArgumentException("the node has no address", nameof(node));

    // The original SCP protocol hands the remote path to the node's shell, so it is quoted for it; an IPv6 address is bracketed.
    private static string Remote(NodeInstance node, string remotePath)
    {
        var address = Address(node);
        return (address.Contains(':', StringComparison.Ordinal) ? $"[{address}]" : address) + ":" + ShellQuote.Quote(remotePath);
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
