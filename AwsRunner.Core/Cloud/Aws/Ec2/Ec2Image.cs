namespace AwsRunner.Core.Cloud.Aws.Ec2;

/// <summary>
/// A machine image, as DescribeImages tells it; <c>RootDeviceType</c> is <c>ebs</c> or <c>instance-store</c>, and
/// <c>RootVolumeSizeGiB</c> the size of the root volume it makes, when the image says.
/// </summary>
internal sealed record Ec2Image(string ImageId, string State, string? Name, string? RootDeviceName, string? RootDeviceType, int? RootVolumeSizeGiB = null);
