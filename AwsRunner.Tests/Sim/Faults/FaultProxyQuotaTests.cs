using Amazon.EC2;
using Amazon.EC2.Model;
using Amazon.Runtime;
using AwsRunner.Sim.Ec2;
using AwsRunner.Sim.Faults;
using AwsRunner.Tests.Support;
using Polly;

namespace AwsRunner.Tests.Sim.Faults;

/// <summary>The fault proxy's account quota on its own: a moto_server of its own behind it, RunInstances through AWSSDK.EC2.</summary>
[TestFixture]
[NonParallelizable]
public sealed class FaultProxyQuotaTests
{
    private const string Region = "us-east-1";
    private static readonly BasicAWSCredentials Credentials = new("testing", "testing");

    private MotoServer? moto;
    private AccountInstances? account;

    private MotoServer Moto => moto ?? throw new InvalidOperationException("no moto");

    [OneTimeSetUp]
    public async Task StartMotoAsync()
    {
        moto = await MotoServer.RequireOwnAsync();
        account = AccountInstances.At(moto.Url, Region, Credentials, ResiliencePipeline.Empty);
    }

    [SetUp]
    public Task ResetAsync() => Moto.ResetAsync();

    [OneTimeTearDown]
    public async Task StopMotoAsync()
    {
        account?.Dispose();
        if (moto is not null)
        {
            await moto.DisposeAsync();
        }
    }

    [Test]
    public async Task RunInstances_AboveTheVcpuLimit_IsCutDownToWhatFitsAndTheNextOneBelowMinCountIsRefused()
    {
        using var quota = new AccountQuota(vcpuLimit: 7, instanceLimit: null, account!);
        await using var proxy = await FaultProxy.StartAsync(Moto.Url, NoFaults.Instance, quota, CancellationToken.None);
        using var ec2 = Client(proxy.Url);

        var granted = await ec2.RunInstancesAsync(Request("t3.micro", min: 1, max: 5));
        var refused = Assert.ThrowsAsync<AmazonEC2Exception>(() => ec2.RunInstancesAsync(Request("t3.micro", min: 1, max: 1)));
        var live = await account!.LiveAsync(null, CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(granted.Reservation.Instances, Has.Count.EqualTo(3), "7 vCPUs hold three 2-vCPU instances");
            Assert.That(live, Has.Count.EqualTo(3), "what moto runs");
            Assert.That(refused!.ErrorCode, Is.EqualTo("VcpuLimitExceeded"));
            Assert.That((int)refused.StatusCode, Is.EqualTo(400));
            Assert.That(refused.Message, Does.Contain("current vCPU limit of 7"));
            Assert.That(proxy.Tally.Injected(AwsLane.Ec2), Is.EqualTo(1), proxy.Tally.ToString());
        });
    }

    [Test]
    public async Task RunInstances_AfterInstancesAreTerminated_IsGrantedTheirHeadroomAgain()
    {
        using var quota = new AccountQuota(vcpuLimit: null, instanceLimit: 2, account!);
        await using var proxy = await FaultProxy.StartAsync(Moto.Url, NoFaults.Instance, quota, CancellationToken.None);
        using var ec2 = Client(proxy.Url);
        var first = await ec2.RunInstancesAsync(Request("c5.large", min: 2, max: 2));
        var full = Assert.ThrowsAsync<AmazonEC2Exception>(() => ec2.RunInstancesAsync(Request("c5.large", min: 1, max: 1)));

        await ec2.TerminateInstancesAsync(new TerminateInstancesRequest { InstanceIds = [first.Reservation.Instances[0].InstanceId] });
        var again = await ec2.RunInstancesAsync(Request("c5.large", min: 1, max: 4));

        Assert.Multiple(() =>
        {
            Assert.That(full!.ErrorCode, Is.EqualTo("InstanceLimitExceeded"));
            Assert.That(again.Reservation.Instances, Has.Count.EqualTo(1));
        });
    }

    private static AmazonEC2Client Client(Uri endpoint) =>
        new(Credentials, new AmazonEC2Config { ServiceURL = endpoint.ToString(), AuthenticationRegion = Region, MaxErrorRetry = 0 });

    private static RunInstancesRequest Request(string type, int min, int max) => new()
    {
        ImageId = SimulatedFleet.Image,
        InstanceType = InstanceType.FindValue(type),
        MinCount = min,
        MaxCount = max,
    };
}
