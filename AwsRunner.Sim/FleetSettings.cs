namespace AwsRunner.Sim;

/// <summary>What the fleet was asked for, checked.</summary>
/// <param name="Folder">Holds the nodes, the ssh_config, the proxy and its map, and fleet.env.</param>
/// <param name="Region">The region whose instances become nodes.</param>
/// <param name="Minute">How long a minute of <c>shutdown -h +MINUTES</c> lasts on the nodes.</param>
/// <param name="SshdDelay">How long a node's sshd waits to start once the instance runs (and its user data ran).</param>
/// <param name="PollInterval">How often EC2 is asked for the instances.</param>
internal sealed record FleetSettings(string Folder, string Region, TimeSpan Minute, TimeSpan SshdDelay, TimeSpan PollInterval)
{
    /// <summary>How long a boot waits for the user data before it starts sshd anyway (the user data goes on).</summary>
    public TimeSpan UserDataTimeout { get; init; } = TimeSpan.FromSeconds(30);

    public string NodesFolder => Path.Combine(Folder, "nodes");

    public string EnvironmentFile => Path.Combine(Folder, "fleet.env");
}
