namespace AwsRunner.Core.Cloud.Aws.Ec2;

/// <summary>A key pair EC2 knows (never its private half).</summary>
internal sealed record Ec2KeyPair(string KeyName, string? KeyPairId, IReadOnlyDictionary<string, string> Tags);
