using AwsRunner.Sim.Spot;

namespace AwsRunner.Sim.Metadata;

/// <summary>What one instance's metadata service tells: who it is, and its spot interruption once there is one.</summary>
internal sealed record InstanceMetadata(string InstanceId, string InstanceType, string ImageId)
{
    public Interruption? Interruption { get; init; }
}
