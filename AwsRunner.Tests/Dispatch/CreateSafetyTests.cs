using AwsRunner.Core;
using AwsRunner.Core.Cloud;
using AwsRunner.Core.Cloud.Local;
using AwsRunner.Core.Dispatch;
using AwsRunner.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace AwsRunner.Tests.Dispatch;

/// <summary>Create terminates only nodes this run launched, and every one of those that never answered.</summary>
[TestFixture]
public sealed class CreateSafetyTests
{
    private const string Name = "safety";

    private TempFolder folder = null!;
    private CloudConnection local = null!;
    private PendingCloud cloud = null!;
    private UnreachableShell shell = null!;
    private CloudConnection connection = null!;

    private string Home => folder.Combine("home");

    [SetUp]
    public void SetUp()
    {
        folder = new TempFolder();
        folder.Write("code/jobs.csv", "instance_type,command\nt3.micro,sleep 600\nt3.micro,sleep 600\n");
        local = LocalCloudConnection.Open(Home, 2, TimeProvider.System, NullLoggerFactory.Instance);
        cloud = new PendingCloud(local.Cloud);
        shell = new UnreachableShell(local.Shell);
        connection = new CloudConnection(local.Kind, cloud, shell, local.Results);
    }

    [TearDown]
    public async Task TearDownAsync()
    {
        shell.Unreachable.Clear();
        cloud.Pending.Clear();
        await new BatchRunner(local, Home).DownAsync(Name);
        await connection.DisposeAsync();
        folder.Dispose();
    }

    [Test]
    public async Task ReRun_AdoptedNodeUnreachable_IsReportedAndLeftRunning()
    {
        var first = await DispatchAsync(dispatch: true);
        shell.Unreachable.Add(0);

        var again = await DispatchAsync(dispatch: true);

        var node = (await local.Cloud.DescribeAsync(Name, CancellationToken.None)).Single(n => n.JobIndex == 0);
        Assert.Multiple(() =>
        {
            Assert.That(first.Nodes[0].State, Is.EqualTo(JobState.Queued).Or.EqualTo(JobState.Running));
            Assert.That(again.Nodes[0].State, Is.EqualTo(JobState.Unreachable));
            Assert.That(node.State, Is.EqualTo(InstanceState.Running), "the adopted node runs its job on");
            Assert.That(cloud.Terminated, Does.Not.Contain(node.InstanceId));
        });
    }

    [Test]
    public async Task Create_NodeStillPendingAtTheBootTimeout_IsTerminated()
    {
        cloud.Pending.Add(1);

        var result = await DispatchAsync(dispatch: false);

        Assert.Multiple(() =>
        {
            Assert.That(result.Nodes[1].State, Is.EqualTo(JobState.Unreachable));
            Assert.That(result.Nodes[1].Detail, Does.Contain("pending"));
            Assert.That(result.Nodes[1].InstanceId, Is.Not.Null);
            Assert.That(cloud.Terminated, Is.EqualTo(new[] { result.Nodes[1].InstanceId }));
        });
    }

    [Test]
    public void Create_NotOneInstanceFitsTheAccountsLimits_FailsSayingTheVcpusAskedAndTheRefusal()
    {
        cloud.RefuseEveryLaunch = "VcpuLimitExceeded: You have requested more vCPU capacity than your current vCPU limit of 0 allows";

        var error = Assert.ThrowsAsync<CloudException>(() => DispatchAsync(dispatch: true))!;

        Assert.Multiple(() =>
        {
            Assert.That(error.Message, Does.StartWith($"Error attempting to launch 2 instances for batch {Name}: EC2 launched 0 of 2 instances: VcpuLimitExceeded"));
            Assert.That(error.Message, Does.Contain("vCPU limit of 0"));
            Assert.That(error.Hint, Does.StartWith($"the batch asked for {2 * Environment.ProcessorCount} vCPUs (t3.micro x2 of {Environment.ProcessorCount} vCPUs)"));
        });
    }

    private Task<DispatchResult> DispatchAsync(bool dispatch) =>
        new BatchRunner(connection, Home).DispatchResultAsync(new DispatchOptions
        {
            ImageId = "local",
            Name = Name,
            JobFile = folder.Combine("code", "jobs.csv"),
            Create = true,
            Dispatch = dispatch,
            PollInterval = TimeSpan.FromMilliseconds(200),
            BootTimeout = TimeSpan.FromSeconds(2),
        });
}
