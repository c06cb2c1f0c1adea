namespace AwsRunner.Core.Cloud.Aws.Ec2;

/// <summary>
/// One inbound rule: a protocol and port range from one address range (IPv4 or IPv6 CIDR), with the description it
/// was given. Two rules grant the same access when all but the description match.
/// </summary>
internal sealed record Ec2IngressRule(string Protocol, int FromPort, int ToPort, string Cidr, string? Description = null)
{
    public bool IsIpv6 => Cidr.Contains(':', StringComparison.Ordinal);

    public bool SameAccessAs(Ec2IngressRule other) =>
        Protocol == other.Protocol && FromPort == other.FromPort && ToPort == other.ToPort && Cidr == other.Cidr;
}
