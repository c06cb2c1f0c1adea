using CommandLine;

namespace AwsRunner.Sim;

/// <summary>The fleet's command line.</summary>
internal sealed class FleetOptions
{
    [Option("folder", HelpText = "Where the fleet keeps its nodes, ssh_config and fleet.env (default: a new temporary folder, removed when the fleet stops).")]
    public string? Folder { get; set; }

    [Option("endpoint-url", HelpText = "Watch this moto_server (on 127.0.0.1) instead of starting one.")]
    public string? EndpointUrl { get; set; }

    [Option("region", Default = "us-east-1", HelpText = "The region whose instances become nodes.")]
    public string Region { get; set; } = "us-east-1";

    [Option("minute", Default = "60s", HelpText = "How long a minute of shutdown -h +MINUTES lasts on the nodes (e.g. 1s: dead man's switches fire 60 times sooner).")]
    public string Minute { get; set; } = "60s";

    [Option("sshd-delay", Default = "0s", HelpText = "How long a node's sshd waits to start once its instance runs, as on a slow boot.")]
    public string SshdDelay { get; set; } = "0s";

    [Option("poll", Default = "0.4s", HelpText = "How often EC2 is asked for the instances.")]
    public string Poll { get; set; } = "0.4s";
}
