using Amazon.EC2;
using Amazon.EC2.Model;
using Amazon.Runtime;
using Amazon.S3;
using AwsRunner.Core.Cloud;
using AwsRunner.Core.Cloud.Aws;
using AwsRunner.Core.Cloud.Aws.Ec2;
using AwsRunner.Core.Jobs;
using AwsRunner.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace AwsRunner.Tests.Cloud.Aws;

/// <summary>
/// The AWS cloud wired as in production, against moto (or canned answers), with a recorder under every call, a
/// temporary awsrunner home, short waits, and separate clients to look at what was created.
/// </summary>
internal sealed class AwsTestBed : IAsyncDisposable
{
    public const string Region = "us-east-1";
    public const string Image = "ami-760aaa0f";
    public const string Cidr = "127.0.0.1/32";

    /// <summary>The secret key the tests sign with: it must never appear in anything given to a node.</summary>
    public const string Secret = "secret-that-never-leaves";

    public static readonly AwsTuning FastTuning = new()
    {
        PollInterval = TimeSpan.FromMilliseconds(20),
        TerminateTimeout = TimeSpan.FromSeconds(10),
        GroupReleaseTimeout = TimeSpan.FromSeconds(1),
        MaxRetries = 3,
        RetryBaseDelay = TimeSpan.FromMilliseconds(1),
        RetryMaxDelay = TimeSpan.FromMilliseconds(10),
    };

    private readonly Uri endpoint;

    private AwsTestBed(Uri endpoint, AwsCloudOptions options, AwsTuning tuning, TimeProvider time, string region, AWSCredentials? signWith = null)
    {
        this.endpoint = endpoint;
        Home = Directory.CreateTempSubdirectory("awsrunner-aws-").FullName;
        var credentials = signWith ?? new BasicAWSCredentials("testing", Secret);
        var session = new AwsSession(region, credentials, endpoint) { Handler = Recorder.CreateHandler };
        Connection = AwsConnectionFactory.Open(options, session, new UnreachableShell(), Home, time, NullLoggerFactory.Instance, tuning, null);
        var plain = new AwsSession(region, credentials, endpoint);
        InspectSdk = SdkClients.Ec2(plain);
        Inspect = new Ec2Client(SdkClients.Ec2(plain), Polly.ResiliencePipeline.Empty, 1000);
        S3 = SdkClients.S3(plain);
    }

    public AwsRecorder Recorder { get; } = new();

    public Uri Endpoint => endpoint;

    public string Home { get; }

    public CloudConnection Connection { get; }

    public ICloud Cloud => Connection.Cloud;

    public IResultStore Results => Connection.Results;

    /// <summary>EC2, unrecorded, for looking at what the cloud created.</summary>
    public Ec2Client Inspect { get; }

    /// <summary>EC2 calls awsrunner's client has no method for, unrecorded.</summary>
    public AmazonEC2Client InspectSdk { get; }

    /// <summary>S3, unrecorded, for looking at what the store created.</summary>
    public AmazonS3Client S3 { get; }

    public static async Task<AwsTestBed> OnMotoAsync(
        AwsCloudOptions? options = null, AwsTuning? tuning = null, TimeProvider? time = null, bool reset = true, string region = Region)
    {
        var moto = await MotoServer.RequireAsync();
        if (reset)
        {
            await moto.ResetAsync();
        }

        return new AwsTestBed(moto.Url, options ?? new AwsCloudOptions { SshCidr = Cidr }, tuning ?? FastTuning, time ?? TimeProvider.System, region);
    }

    /// <summary>A server of the test's own, signing with the given credentials.</summary>
    public static AwsTestBed OnServer(MotoServer server, AWSCredentials credentials) =>
        new(server.Url, new AwsCloudOptions { SshCidr = Cidr }, FastTuning, TimeProvider.System, Region, credentials);

    /// <summary>The account moto's credentials belong to, and the canned test bed's.</summary>
    public const string Account = "123456789012";

    /// <summary>
    /// No server at all: every call must be answered by <see cref="AwsRecorder.Answer"/>, but for STS's
    /// GetCallerIdentity, which says <see cref="Account"/>.
    /// </summary>
    public static AwsTestBed Canned(
        AwsCloudOptions? options = null, TimeProvider? time = null, string region = "eu-west-1", AwsTuning? tuning = null, Uri? endpoint = null, AWSCredentials? credentials = null)
    {
        var bed = new AwsTestBed(
            endpoint ?? new Uri("http://127.0.0.1:9/"), options ?? new AwsCloudOptions { SshCidr = Cidr }, tuning ?? FastTuning, time ?? TimeProvider.System, region, credentials);
        bed.Recorder.Account = Account;
        return bed;
    }

    public static JobRow Row(int index, string instanceType) => new() { Index = index, Line = index + 2, InstanceType = instanceType, Command = $"echo {index}" };

    public static LaunchRequest Launch(string batch, params JobRow[] rows) => new(batch, Image, rows, TimeSpan.FromHours(2));

    /// <summary>Key pair and security group, as create makes them before launching.</summary>
    public async Task<IReadOnlyList<NodeInstance>> LaunchAsync(string batch, params JobRow[] rows)
    {
        await Cloud.PrepareAccessAsync(batch, CancellationToken.None);
        return (await Cloud.LaunchAsync(Launch(batch, rows), CancellationToken.None)).Nodes;
    }

    public async Task<string> DefaultSubnetAsync()
    {
        var vpc = await Inspect.FindDefaultVpcAsync(CancellationToken.None);
        var answer = await InspectSdk.DescribeSubnetsAsync(new DescribeSubnetsRequest { Filters = [new Filter("vpc-id", [vpc!])] });
        return answer.Subnets.Select(s => s.SubnetId).Order(StringComparer.Ordinal).First();
    }

    /// <summary>An IAM instance profile, which moto checks RunInstances against.</summary>
    public async Task CreateInstanceProfileAsync(string name) =>
        await MotoIam.CallAsync(endpoint, "create_instance_profile", new { InstanceProfileName = name });

    public async Task<IReadOnlyList<Ec2SecurityGroup>> GroupsAsync(string batch) =>
        await Inspect.DescribeSecurityGroupsAsync([new Ec2Filter("group-name", batch)], CancellationToken.None);

    public async ValueTask DisposeAsync()
    {
        await Connection.DisposeAsync();
        Inspect.Dispose();
        InspectSdk.Dispose();
        S3.Dispose();
        Directory.Delete(Home, recursive: true);
    }

    private sealed class UnreachableShell : INodeShell
    {
        public ShellTransport Transport { get; } = new("none", new Dictionary<string, string>());

        public Task WaitReachableAsync(NodeInstance node, CancellationToken cancellationToken) =>
            throw new Core.CloudException("Unreachable", $"reach {node.InstanceId}", "moto instances run nothing");

        public Task<ShellResult> RunAsync(NodeInstance node, string command, Stream? input, CancellationToken cancellationToken) =>
            throw new Core.CloudException("Unreachable", $"reach {node.InstanceId}", "moto instances run nothing");

        public Task<int> AttachAsync(NodeInstance node, string? command, CancellationToken cancellationToken) =>
            throw new Core.CloudException("Unreachable", $"reach {node.InstanceId}", "moto instances run nothing");

        public Task CopyToNodeAsync(NodeInstance node, string localPath, string remotePath, IProgress<CopyProgress>? progress, CancellationToken cancellationToken) =>
            throw new Core.CloudException("Unreachable", $"reach {node.InstanceId}", "moto instances run nothing");

        public Task CopyFromNodeAsync(NodeInstance node, string remotePath, string localPath, IProgress<CopyProgress>? progress, CancellationToken cancellationToken) =>
            throw new Core.CloudException("Unreachable", $"reach {node.InstanceId}", "moto instances run nothing");

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
