namespace AwsRunner.Core.Cloud.Aws.Ec2;

/// <summary>A machine image, as DescribeImages tells it.</summary>
internal sealed record Ec2Image(string ImageId, string State, string? Name, string? RootDeviceName);
