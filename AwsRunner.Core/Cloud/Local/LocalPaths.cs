using AwsRunner.Core.Jobs;

namespace AwsRunner.Core.Cloud.Local;

/// <summary>Where the local cloud keeps its nodes and buckets under <c>$AWSRUNNER_HOME/.local-cloud</c>.</summary>
internal sealed class LocalPaths(string home)
{
    // A dot cannot start a batch name, so this folder never meets a batch's own folder.
    public string Root { get; } = Path.Combine(home, ".local-cloud");

    public string Nodes => Path.Combine(Root, "nodes");

    public string Buckets => Path.Combine(Root, "buckets");

    public string Batch(string batch) => Path.Combine(Nodes, batch);

    public string Slots(string batch) => Path.Combine(Batch(batch), "slots");

    public string Node(string batch, int index) => Path.Combine(Batch(batch), JobIndex.Format(index));

    public static string NodeHome(string node) => Path.Combine(node, "home");

    public static string NodeOfHome(string nodeHome) => Path.GetDirectoryName(nodeHome)!;

    public static string InstanceFile(string node) => Path.Combine(node, "instance.json");

    public static string StateFile(string node) => Path.Combine(node, "instance-state");

    public static string PowerOffScript(string node) => Path.Combine(node, "poweroff.sh");
}
