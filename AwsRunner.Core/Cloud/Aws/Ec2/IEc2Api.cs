namespace AwsRunner.Core.Cloud.Aws.Ec2;

/// <summary>
/// The EC2 calls awsrunner makes, typed. The Query-protocol client implements it today; an AWSSDK.EC2 client
/// would be one more class behind the same interface. Errors come out as <see cref="AwsApiException"/>.
/// </summary>
internal interface IEc2Api
{
    Task<IReadOnlyList<Ec2Image>> DescribeImagesAsync(string imageId, CancellationToken cancellationToken);

    /// <summary>The default VPC's id, or null when the region has none.</summary>
    Task<string?> FindDefaultVpcAsync(CancellationToken cancellationToken);

    Task<string> DescribeSubnetVpcAsync(string subnetId, CancellationToken cancellationToken);

    Task<IReadOnlyList<Ec2SecurityGroup>> DescribeSecurityGroupsAsync(IReadOnlyList<Ec2Filter> filters, CancellationToken cancellationToken);

    Task<string> CreateSecurityGroupAsync(string name, string description, string vpcId, IReadOnlyList<Ec2Tag> tags, CancellationToken cancellationToken);

    Task AuthorizeIngressAsync(string groupId, Ec2IngressRule rule, string description, CancellationToken cancellationToken);

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
}
