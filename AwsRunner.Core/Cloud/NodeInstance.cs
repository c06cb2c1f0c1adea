namespace AwsRunner.Core.Cloud;

/// <summary>The instance that runs one job of a batch.</summary>
/// <param name="Batch">The batch's NAME.</param>
/// <param name="JobIndex">The job (row) the instance was launched for.</param>
/// <param name="InstanceId">The cloud's id for the instance.</param>
/// <param name="InstanceType">The instance type.</param>
/// <param name="State">The instance's state when it was described.</param>
/// <param name="Address">Where to reach it (public address on AWS, a folder on the local cloud); null until known.</param>
/// <param name="LaunchTime">When it was launched.</param>
/// <param name="Spot">Whether it is a spot instance.</param>
/// <param name="SpotRefusal">When spot was asked for and refused, so that the instance runs on demand: the cloud's reason (on EC2 its error code); null otherwise.</param>
internal sealed record NodeInstance(
    string Batch,
    int JobIndex,
    string InstanceId,
    string InstanceType,
    InstanceState State,
    string? Address,
    DateTimeOffset LaunchTime,
    bool Spot = false,
    string? SpotRefusal = null);
