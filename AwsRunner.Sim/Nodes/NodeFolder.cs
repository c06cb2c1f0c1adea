using System.Text;
using AwsRunner.Core;
using AwsRunner.Core.Node;
using AwsRunner.Sim.Ec2;

namespace AwsRunner.Sim.Nodes;

/// <summary>
/// Where a simulated node lives, <c>nodes/INSTANCE/</c>: its disk, which a reboot keeps. Its home (the HOME and
/// working folder of its sessions), its commands (<c>bin/</c>, first on its PATH: sudo, shutdown, poweroff, halt,
/// reboot, systemctl, ec2metadata), its sshd's files, its user data and what that logged, and the power request its
/// shutdown leaves for the fleet.
/// </summary>
internal sealed class NodeFolder
{
    /// <summary>Set in the environment of every process of every node: <c>FLEET/INSTANCE/</c>. Ending a node ends exactly the processes so tagged.</summary>
    public const string TagVariable = "AWSRUNNER_FLEET_NODE";

    /// <summary>
    /// Set in the environment of every process of a node: the base URL of the node's own instance metadata service
    /// (IMDSv2, on 127.0.0.1), which awsrunner's node runner uses instead of http://169.254.169.254.
    /// </summary>
    public const string MetadataUrlVariable = "AWSRUNNER_METADATA_URL";

    private const UnixFileMode Executable =
        UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute
        | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;

    private static readonly (string Command, string Script)[] Shims =
    [
        ("sudo", "sudo.sh"),
        ("shutdown", "shutdown.sh"),
        ("poweroff", "shutdown.sh"),
        ("halt", "shutdown.sh"),
        ("reboot", "shutdown.sh"),
        ("systemctl", "systemctl.sh"),
        ("ec2metadata", "ec2metadata.sh"),
    ];

    public NodeFolder(string nodesFolder, string fleetTag, string instanceId, string metadataUrl)
    {
        Root = Path.Combine(nodesFolder, instanceId);
        Tag = fleetTag + instanceId + "/";
        Environment = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["HOME"] = Home,
            ["PATH"] = Bin + ":/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
            ["USER"] = System.Environment.UserName,
            ["LOGNAME"] = System.Environment.UserName,
            ["SHELL"] = "/bin/bash",
            ["LANG"] = "C.UTF-8",
            [TagVariable] = Tag,
            ["AWSRUNNER_FLEET_POWER"] = PowerRequest,
            ["AWSRUNNER_FLEET_METADATA"] = Metadata,
            [MetadataUrlVariable] = metadataUrl,
            // Like every process of the fleet: nothing may look for the instance metadata address.
            ["AWS_EC2_METADATA_DISABLED"] = "true",
        };
    }

    public string Root { get; }

    public string Tag { get; }

    public string Home => Path.Combine(Root, "home");

    public string Bin => Path.Combine(Root, "bin");

    public string SshdFolder => Path.Combine(Root, "sshd");

    public string HostKey => Path.Combine(SshdFolder, "host_key");

    public string AuthorizedKeys => Path.Combine(SshdFolder, "authorized_keys");

    public string Session => Path.Combine(SshdFolder, "session.sh");

    /// <summary>The session command sshd is forced to run.</summary>
    public string ForceCommand => "/bin/bash " + ShellQuote.Quote(Session);

    /// <summary>Written by the node's shutdown: "poweroff MINUTES" or "reboot MINUTES"; removed by <c>shutdown -c</c> and by a reboot.</summary>
    public string PowerRequest => Path.Combine(Root, "power");

    public string Metadata => Path.Combine(Root, "metadata");

    /// <summary>The script part of the user data, as the boot runs it.</summary>
    public string UserData => Path.Combine(Root, "user-data");

    /// <summary>What the user data printed, every boot's after the one before.</summary>
    public string UserDataLog => Path.Combine(Root, "user-data.log");

    /// <summary>The environment every process of the node starts with, sessions included.</summary>
    public IReadOnlyDictionary<string, string> Environment { get; }

    /// <summary>Lays the node out at its first boot: folders, commands, what ec2metadata answers, the session script.</summary>
    public void Create(FleetInstance instance)
    {
        Directory.CreateDirectory(Home);
        Directory.CreateDirectory(Bin);
        Directory.CreateDirectory(SshdFolder);
        var assembly = typeof(NodeFolder).Assembly;
        foreach (var (command, script) in Shims)
        {
            var path = Path.Combine(Bin, command);
            File.WriteAllText(path, EmbeddedText.Read(assembly, "AwsRunner.Sim.Scripts." + script));
            File.SetUnixFileMode(path, Executable);
        }

        File.WriteAllText(Metadata, string.Concat(new (string Key, string? Value)[]
        {
            ("instance-id", instance.InstanceId),
            ("instance-type", instance.InstanceType),
            ("ami-id", instance.ImageId),
            ("public-ipv4", instance.PublicIp),
            ("local-ipv4", instance.PrivateIp),
            ("availability-zone", instance.AvailabilityZone),
        }.Select(m => $"{m.Key}={m.Value}\n")));

        var session = new StringBuilder();
        session.Append("# A session on the simulated node ").Append(instance.InstanceId)
            .Append(": its home, its commands first on the PATH, its tag in every process.\n");
        foreach (var (name, value) in Environment)
        {
            session.Append("export ").Append(name).Append('=').Append(ShellQuote.Quote(value)).Append('\n');
        }

        session.Append("""
            cd "$HOME" || exit 1
            if [ -n "${SSH_ORIGINAL_COMMAND+set}" ]; then exec /bin/bash -c "$SSH_ORIGINAL_COMMAND"; fi
            exec /bin/bash

            """.ReplaceLineEndings("\n"));
        File.WriteAllText(Session, session.ToString());
    }

    /// <summary>Lets in the holder of the key pair's private half; nobody when the instance has no key pair.</summary>
    public void Authorize(string? publicKey) => File.WriteAllText(AuthorizedKeys, publicKey is null ? "" : publicKey.Trim() + "\n");
}
