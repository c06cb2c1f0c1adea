namespace AwsRunner.Sim;

/// <summary>What the fleet was asked for, checked.</summary>
/// <param name="Folder">Holds the nodes, the ssh_config, the proxy and its map, fleet.env and the requests box.</param>
/// <param name="Region">The region whose instances become nodes.</param>
/// <param name="Minute">How long a minute of <c>shutdown -h +MINUTES</c> (and of a spot notice) lasts on the nodes.</param>
/// <param name="SshdDelay">How long a node's sshd waits to start once the instance runs (and its user data ran).</param>
/// <param name="PollInterval">How often EC2 is asked for the instances.</param>
internal sealed record FleetSettings(string Folder, string Region, TimeSpan Minute, TimeSpan SshdDelay, TimeSpan PollInterval)
{
    /// <summary>How long a boot waits for the user data before it starts sshd anyway (the user data goes on).</summary>
    public TimeSpan UserDataTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The share of spot instances the fleet interrupts by itself (0: none).</summary>
    public double InterruptSpot { get; init; }

    /// <summary>Seeds the choice of the spot instances interrupted and when; null: a different choice every run.</summary>
    public int? Seed { get; init; }

    /// <summary>The account's running on-demand vCPU limit the fleet's endpoint applies; null: none.</summary>
    public int? VcpuLimit { get; init; }

    /// <summary>The account's running on-demand instance limit the fleet's endpoint applies; null: none.</summary>
    public int? InstanceLimit { get; init; }

    public string NodesFolder => Path.Combine(Folder, "nodes");

    public string EnvironmentFile => Path.Combine(Folder, "fleet.env");

    public string RequestsFolder => RequestsFolderOf(Folder);

    /// <summary>Where the requests to the fleet of <paramref name="folder"/> go.</summary>
    public static string RequestsFolderOf(string folder) => Path.Combine(folder, "requests");
}
