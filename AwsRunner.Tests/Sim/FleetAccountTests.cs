using Amazon.EC2;
using AwsRunner.Tests.Support;

namespace AwsRunner.Tests.Sim;

/// <summary>
/// A fleet started as an account with limits and unreliable spot capacity: --vcpu-limit 4 (its endpoint applies it),
/// --interrupt-spot 1 (every spot instance is interrupted within its first three minutes) and a minute of 1 s.
/// </summary>
[TestFixture]
[Parallelizable(ParallelScope.Self)]
public sealed class FleetAccountTests
{
    private const int VcpuLimit = 4;
    private static readonly TimeSpan Minute = TimeSpan.FromSeconds(1);

    private TempFolder? fleetFolder;
    private SimulatedFleet? fleet;
    private FleetNodes? nodes;

    private SimulatedFleet Fleet => fleet ?? throw new InvalidOperationException("no fleet");

    private FleetNodes Nodes => nodes ?? throw new InvalidOperationException("no nodes");

    [OneTimeSetUp]
    public async Task StartFleetAsync()
    {
        fleetFolder = new TempFolder();
        fleet = await SimulatedFleet.StartAsync(
            fleetFolder.Combine("fleet"), "--minute", "1s", "--vcpu-limit", $"{VcpuLimit}", "--interrupt-spot", "1", "--seed", "5");
    }

    [SetUp]
    public void NewNodes() => nodes = new FleetNodes(Fleet);

    [TearDown]
    public async Task TerminateNodesAsync()
    {
        if (nodes is not null)
        {
            await nodes.DisposeAsync();
        }

        if (TestContext.CurrentContext.Result.Outcome.Status == NUnit.Framework.Interfaces.TestStatus.Failed)
        {
            await TestContext.Out.WriteLineAsync("--- the fleet's log\n" + Fleet.Log);
        }
    }

    [OneTimeTearDown]
    public async Task StopFleetAsync()
    {
        if (fleet is not null)
        {
            await fleet.DisposeAsync();
        }

        fleetFolder?.Dispose();
    }

    [Test]
    public async Task RunInstances_AtTheFleetsEndpoint_IsGrantedWhatTheVcpuLimitHoldsAndRefusedBelowMinCount()
    {
        var granted = await Nodes.LaunchAsync("t3.micro", minCount: 1, maxCount: 3);
        var refused = Assert.ThrowsAsync<AmazonEC2Exception>(() => Nodes.LaunchAsync("t3.micro"));

        Assert.Multiple(() =>
        {
            Assert.That(granted, Has.Count.EqualTo(2), "4 vCPUs hold two t3.micro");
            Assert.That(refused!.ErrorCode, Is.EqualTo("VcpuLimitExceeded"));
            Assert.That(Fleet.Log, Does.Contain($"on-demand vCPU limit {VcpuLimit}"));
        });
    }

    [Test]
    public async Task SpotInstances_InterruptSpotOne_GetTheirNoticeAndAreTerminatedWithinTheirFirstMinutes_OnDemandOnesRunOn()
    {
        var spot = await Nodes.LaunchAsync("c5.large", spot: true, minCount: 2, maxCount: 2);
        var onDemand = (await Nodes.LaunchAsync("t3.micro")).Single();
        var launched = DateTime.UtcNow;

        foreach (var instance in spot)
        {
            await Eventually.WaitAsync(
                () => Nodes.StateAsync(instance.InstanceId).GetAwaiter().GetResult() == "terminated",
                TimeSpan.FromSeconds(60),
                $"spot instance {instance.InstanceId} to be interrupted");
        }

        var lasted = DateTime.UtcNow - launched;
        Assert.Multiple(async () =>
        {
            Assert.That(lasted, Is.GreaterThan(2 * Minute), "terminated before its notice period");
            Assert.That(Fleet.Log, Does.Contain($"{spot[0].InstanceId}: spot interruption, notice from"));
            Assert.That(Fleet.Log, Does.Contain($"{spot[1].InstanceId}: spot interruption, notice from"));
            Assert.That(Fleet.Log, Does.Not.Contain($"{onDemand.InstanceId}: spot interruption"));
            Assert.That(await Nodes.StateAsync(onDemand.InstanceId), Is.EqualTo("running"));
        });
    }

    [Test]
    public async Task Batch_NeedingMoreVcpusThanTheLimit_RunsEveryRowOnTheInstancesGranted()
    {
        var batch = new FleetBatch(Fleet, "fleet-vcpu-limit");
        try
        {
            // Six t3.micro rows ask for 12 vCPUs; the account holds 4: two instances, each taking rows until none is left.
            batch.Write("code/jobs.csv", "instance_type,command,n\n" + string.Concat(Enumerable.Range(0, 6).Select(i => $"t3.micro,\"sleep 1; mkdir -p output; echo $n > output/n.txt\",{i}\n")));

            var run = await batch.DispatchAsync("--wait", "--heartbeat", "2s");
            var fetch = await batch.RunAsync("fetch", batch.Name, batch.Output);

            Assert.That(run.ExitCode, Is.Zero, run.ToString());
            Assert.That(run.Output, Does.Contain("the cloud launched fewer nodes, the others take their rows").And.Contain("VcpuLimitExceeded"), run.ToString());
            Assert.That(fetch.ExitCode, Is.Zero, fetch.ToString());
            Assert.That(Enumerable.Range(0, 6).Select(i => File.ReadAllText(Path.Combine(batch.Output, $"{i:D4}", "output", "n.txt"))),
                Is.EqualTo(Enumerable.Range(0, 6).Select(i => $"{i}\n")));
            Assert.That(await batch.InstancesAsync(), Has.Count.EqualTo(VcpuLimit / 2), "what the limit holds, launched once");
        }
        finally
        {
            await batch.EndAsync();
        }
    }
}
