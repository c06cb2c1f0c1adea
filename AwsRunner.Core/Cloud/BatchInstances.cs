namespace AwsRunner.Core.Cloud;

/// <summary>A batch that still has instances, found from the cloud's tags alone.</summary>
/// <param name="Batch">The batch's NAME.</param>
/// <param name="Live">Instances not yet terminated.</param>
/// <param name="OldestLaunch">When the oldest live instance was launched.</param>
/// <param name="InstanceHours">Hours run so far by the live instances, summed.</param>
internal sealed record BatchInstances(string Batch, int Live, DateTimeOffset? OldestLaunch, double InstanceHours);
