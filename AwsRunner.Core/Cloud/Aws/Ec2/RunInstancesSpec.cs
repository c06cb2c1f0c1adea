namespace AwsRunner.Core.Cloud.Aws.Ec2;

/// <summary>
/// One RunInstances call: <c>Count</c> identical instances, all or none. The <c>ClientToken</c> makes a repeated
/// call return the first call's instances instead of launching more; <c>UserData</c> is the boot script as text
/// (the client encodes it).
/// </summary>
internal sealed record RunInstancesSpec(
    string ImageId,
    string InstanceType,
    int Count,
    string ClientToken,
    string KeyName,
    string SecurityGroupId,
    string UserData,
    IReadOnlyList<Ec2Tag> Tags)
{
    public string? SubnetId { get; init; }

    /// <summary>An instance profile's name, or its ARN.</summary>
    public string? InstanceProfile { get; init; }

    public int? VolumeSizeGiB { get; init; }

    /// <summary>The image's root device, which a volume size applies to.</summary>
    public string? RootDeviceName { get; init; }

    public bool Spot { get; init; }
}
