namespace AwsRunner.Sim.Ec2;

/// <summary>An instance as the fleet needs to know it: what it is, whose key lets one in, where it is reached.</summary>
internal sealed record FleetInstance(
    string InstanceId,
    string State,
    string InstanceType,
    string ImageId,
    string? KeyName,
    string? PublicIp,
    string? PrivateIp,
    string? AvailabilityZone)
{
    /// <summary>Every address a client may use for it (awsrunner uses the public one, else the private one).</summary>
    public IReadOnlyList<string> Addresses => new[] { PublicIp, PrivateIp }.OfType<string>().ToList();

    /// <summary>Whether the instance is up or coming up; any other state means its node must be down.</summary>
    public bool IsLive => State is "pending" or "running";
}
