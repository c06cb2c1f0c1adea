using CommandLine;

namespace AwsRunner.Sim.Requests;

/// <summary>The command line of a request to a running fleet about one of its instances.</summary>
internal abstract class NodeCommandOptions
{
    [Option("folder", Required = true, HelpText = "The --folder the fleet was started with.")]
    public string Folder { get; set; } = "";

    [Value(0, MetaName = "INSTANCE_ID", Required = true, HelpText = "The instance, as EC2 names it (i-...).")]
    public string InstanceId { get; set; } = "";

    public abstract NodeCommand Command { get; }
}
