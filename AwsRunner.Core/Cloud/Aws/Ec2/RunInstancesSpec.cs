namespace AwsRunner.Core.Cloud.Aws.Ec2;

/// <summary>
/// One RunInstances call: up to <c>Count</c> identical instances, and all of them unless <c>MinCount</c> says fewer
/// will do. The <c>ClientToken</c> makes a repeated call return the first call's instances instead of launching more;
/// <c>UserData</c> is the boot script as text (the client encodes it).
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
    /// <summary>The fewest instances EC2 may launch; all <c>Count</c> when null.</summary>
    public int? MinCount { get; init; }

    public string? SubnetId { get; init; }

    /// <summary>An instance profile's name, or its ARN.</summary>
    public string? InstanceProfile { get; init; }

    /// <summary>The root volume's size asked for (a gp3 volume then); the image's own when null.</summary>
    public int? VolumeSizeGiB { get; init; }

    /// <summary>The size of the root volume the image makes, stated where the root volume is mapped (EC2 takes it from the image when null).</summary>
    public int? ImageVolumeSizeGiB { get; init; }

    /// <summary>The image's root device, whose volume is encrypted (and sized, with <c>VolumeSizeGiB</c>); null for an image without an EBS root.</summary>
    public string? RootDeviceName { get; init; }

    /// <summary>How many network hops the instance metadata service's token may travel (IMDSv2 is always required).</summary>
    public int MetadataHopLimit { get; init; } = 1;

    public bool Spot { get; init; }
}
