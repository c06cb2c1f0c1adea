using AwsRunner.Core;
using AwsRunner.Cli.Rendering;

namespace AwsRunner.Cli.Verbs;

/// <summary>
/// The help text of options whose defaults come from <see cref="Defaults"/>, so that the help never drifts from them.
/// Public because CommandLineParser reads it (an option's ResourceType) only from a public type.
/// </summary>
public static class OptionHelp
{
    public static string BootTimeout =>
        $"How long a new node may take, from its launch, to be running and to answer SSH (e.g. 5m; default {Formats.Duration(Defaults.BootTimeout)}).";

    public static string SshUser => $"AWS: the login name on the nodes (default: {Defaults.SshUser}, the Ubuntu images' user).";

    public static string NodesAtOnce =>
        $"How many nodes are set up at once: launched, installed, their jobs started (default {Defaults.Parallel}; --parallel, its old name, works too). Not --max-parallel, the local cloud's nodes of a type.";

    public static string Heartbeat => $"How often a running node reports (e.g. 60s; default {Formats.Duration(Defaults.HeartbeatInterval)}). Fixed when the batch is created.";

    public static string MaxHours => $"Dead man's switch: every node powers itself off this many hours after creation (default {Defaults.MaxHours}). Fixed when the batch is created.";

    public static string MaxUpload => $"The largest code folder to upload (e.g. 500M, 2G; default {Formats.Bytes(Defaults.MaxUploadBytes)}).";

    public static string ResultPartSize =>
        $"Results larger than this go up in parts of this size, each one object (e.g. 64M; {Formats.Bytes(Defaults.MinResultPartSize)} to " +
        $"{Formats.Bytes(Defaults.ResultPartSize)}, the default); a node's results, all its rows together, may take up to {Defaults.ResultParts} parts.";

    public static string Results => $"Paths, relative to the code folder, that make up a job's results (default: {Defaults.ResultPath}).";
}
