namespace AwsRunner.Core.Dispatch;

/// <summary>A batch that still has nodes or results.</summary>
public sealed class BatchSummary
{
    /// <summary>The batch's NAME.</summary>
    public required string Name { get; init; }

    /// <summary>Its cloud.</summary>
    public required string Cloud { get; init; }

    /// <summary>Instances not yet terminated: these cost money.</summary>
    public int LiveInstances { get; init; }

    /// <summary>Hours run so far by those instances, summed.</summary>
    public double InstanceHours { get; init; }

    /// <summary>Jobs in the batch, when its manifest could be read.</summary>
    public int? Jobs { get; init; }

    /// <summary>Jobs with a result in the bucket.</summary>
    public int Finished { get; init; }
}
