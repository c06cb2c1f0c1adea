namespace AwsRunner.Core.Cloud.Aws.Ec2;

/// <summary>
/// The EC2 calls awsrunner makes, typed: a port in front of AWSSDK.EC2 (<see cref="Ec2Client"/>), so that what awsrunner
/// does with EC2 can be tested with a fake. Errors come out as the SDK's <see cref="Amazon.EC2.AmazonEC2Exception"/>.
/// </summary>
internal interface IEc2Api
{
    Task<IReadOnlyList<Ec2Image>> DescribeImagesAsync(string imageId, CancellationToken cancellationToken);

    /// <summary>The default VPC's id, or null when the region has none.</summary>
    Task<string?> FindDefaultVpcAsync(CancellationToken cancellationToken);

    Task<string> DescribeSubnetVpcAsync(string subnetId, CancellationToken cancellationToken);

    /// <summary>Every security group the filters match, all pages.</summary>
    Task<IReadOnlyList<Ec2SecurityGroup>> DescribeSecurityGroupsAsync(IReadOnlyList<Ec2Filter> filters, CancellationToken cancellationToken);

    Task<string> CreateSecurityGroupAsync(string name, string description, string vpcId, IReadOnlyList<Ec2Tag> tags, CancellationToken cancellationToken);

    /// <summary>Adds the rule, with its description.</summary>
    Task AuthorizeIngressAsync(string groupId, Ec2IngressRule rule, CancellationToken cancellationToken);

    Task RevokeIngressAsync(string groupId, Ec2IngressRule rule, CancellationToken cancellationToken);

    Task DeleteSecurityGroupAsync(string groupId, CancellationToken cancellationToken);

    Task<IReadOnlyList<Ec2KeyPair>> DescribeKeyPairsAsync(string keyName, CancellationToken cancellationToken);

    /// <summary>Creates an ed25519 key pair and returns its private key (OpenSSH format): the only time AWS gives it.</summary>
    Task<string> CreateKeyPairAsync(string keyName, IReadOnlyList<Ec2Tag> tags, CancellationToken cancellationToken);

    Task ImportKeyPairAsync(string keyName, string publicKey, IReadOnlyList<Ec2Tag> tags, CancellationToken cancellationToken);

    Task DeleteKeyPairAsync(string keyName, CancellationToken cancellationToken);

    Task<IReadOnlyList<Ec2Instance>> RunInstancesAsync(RunInstancesSpec spec, CancellationToken cancellationToken);

    /// <summary>Every instance the filters match, all pages.</summary>
    Task<IReadOnlyList<Ec2Instance>> DescribeInstancesAsync(IReadOnlyList<Ec2Filter> filters, CancellationToken cancellationToken);

    Task TerminateInstancesAsync(IReadOnlyCollection<string> instanceIds, CancellationToken cancellationToken);

    /// <summary>The default vCPU count of each instance type asked for.</summary>
    Task<IReadOnlyDictionary<string, int>> DescribeVcpusAsync(IReadOnlyCollection<string> instanceTypes, CancellationToken cancellationToken);
}
