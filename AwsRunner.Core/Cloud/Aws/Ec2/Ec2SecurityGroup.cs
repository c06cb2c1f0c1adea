namespace AwsRunner.Core.Cloud.Aws.Ec2;

/// <summary>A security group and the inbound rules it has.</summary>
internal sealed record Ec2SecurityGroup(
    string GroupId,
    string GroupName,
    string VpcId,
    IReadOnlyList<Ec2IngressRule> Ingress,
    IReadOnlyDictionary<string, string> Tags);
