namespace AwsRunner.Sim.Ec2;

/// <summary>
/// A pending or running instance as the account's limits and spot interruptions see it: its type, whether it is a spot
/// instance (DescribeInstances' InstanceLifecycle "spot"), and the ClientToken it was launched with.
/// </summary>
internal sealed record LiveInstance(string InstanceId, string InstanceType, bool Spot, string? ClientToken);
