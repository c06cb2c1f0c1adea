namespace AwsRunner.Core.Dispatch;

/// <summary>A batch that still has nodes or results.</summary>
/// <param name="Name">The batch's NAME.</param>
/// <param name="Cloud">Its cloud.</param>
/// <param name="LiveInstances">Instances not yet terminated: these cost money.</param>
/// <param name="InstanceHours">Hours run so far by those instances, summed.</param>
/// <param name="Jobs">Jobs in the batch, when its manifest could be read.</param>
/// <param name="Finished">Jobs with a result in the bucket.</param>
public sealed record BatchSummary(string Name, string Cloud, int LiveInstances, double InstanceHours, int? Jobs, int Finished);
