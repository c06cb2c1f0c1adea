using CommandLine;

namespace AwsRunner.Sim;

/// <summary>The fleet's command line (its default verb).</summary>
[Verb("run", isDefault: true, HelpText = "Run the fleet until Ctrl-C (the default: the verb may be left out).")]
internal sealed class FleetOptions
{
    [Option("folder", HelpText = "Where the fleet keeps its nodes, ssh_config and fleet.env (default: a new temporary folder, removed when the fleet stops).")]
    public string? Folder { get; set; }

    [Option("endpoint-url", HelpText = "Watch this moto_server (on 127.0.0.1) instead of starting one.")]
    public string? EndpointUrl { get; set; }

    [Option("region", Default = "us-east-1", HelpText = "The region whose instances become nodes.")]
    public string Region { get; set; } = "us-east-1";

    [Option("minute", Default = "60s", HelpText = "How long a minute of shutdown -h +MINUTES and of a spot notice lasts on the nodes (e.g. 1s: dead man's switches fire 60 times sooner).")]
    public string Minute { get; set; } = "60s";

    [Option("sshd-delay", Default = "0s", HelpText = "How long a node's sshd waits to start once its instance runs, as on a slow boot.")]
    public string SshdDelay { get; set; } = "0s";

    [Option("poll", Default = "0.4s", HelpText = "How often EC2 is asked for the instances.")]
    public string Poll { get; set; } = "0.4s";

    [Option("interrupt-spot", Default = 0.0, HelpText = "Interrupt this share (0 to 1) of spot instances by themselves: each spot instance, with that probability, gets EC2's interruption notice at a random time within its first 3 minutes (as --minute scales them) after boot, and is terminated 2 minutes after the notice.")]
    public double InterruptSpot { get; set; }

    [Option("seed", HelpText = "Seeds --interrupt-spot's choices: the same seed, the same instances launched in the same order, the same interruptions.")]
    public int? Seed { get; set; }

    [Option("vcpu-limit", HelpText = "The account's running on-demand vCPU limit: the fleet's endpoint becomes a proxy in front of moto that grants a RunInstances only what fits (min(MaxCount, what fits); below MinCount it answers VcpuLimitExceeded).")]
    public int? VcpuLimit { get; set; }

    [Option("instance-limit", HelpText = "The account's running on-demand instance limit, applied as --vcpu-limit is (InstanceLimitExceeded).")]
    public int? InstanceLimit { get; set; }
}
