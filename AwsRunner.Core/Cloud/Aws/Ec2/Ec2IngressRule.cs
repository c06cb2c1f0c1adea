namespace AwsRunner.Core.Cloud.Aws.Ec2;

/// <summary>One inbound rule: a protocol and port range from one address range (IPv4 or IPv6 CIDR).</summary>
internal sealed record Ec2IngressRule(string Protocol, int FromPort, int ToPort, string Cidr);
