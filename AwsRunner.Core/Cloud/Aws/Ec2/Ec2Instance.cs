namespace AwsRunner.Core.Cloud.Aws.Ec2;

/// <summary>
/// An instance, as RunInstances or DescribeInstances tells it. <c>AmiLaunchIndex</c> is its place (from 0) among
/// the instances of the RunInstances call that launched it; <c>Lifecycle</c> is <c>spot</c> for a spot instance.
/// </summary>
internal sealed record Ec2Instance(
    string InstanceId,
    string InstanceType,
    string State,
    string? PublicIp,
    string? PrivateIp,
    DateTimeOffset LaunchTime,
    int AmiLaunchIndex,
    string? Lifecycle,
    IReadOnlyDictionary<string, string> Tags);
