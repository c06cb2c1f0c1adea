using System.Text.Json;
using AwsRunner.Core.Node;
using AwsRunner.Sim.Metadata;
using AwsRunner.Sim.Spot;

namespace AwsRunner.Tests.Node;

/// <summary>The runner's watch for EC2's spot interruption notice, against the simulated fleet's IMDSv2 service on 127.0.0.1.</summary>
public sealed class SpotWatchTests
{
    private const string InstanceId = "i-0123456789abcdef0";
    private RunnerNode node = null!;
    private MetadataService metadata = null!;

    [SetUp]
    public async Task SetUp()
    {
        node = new RunnerNode();
        metadata = await MetadataService.StartAsync(TimeProvider.System, CancellationToken.None);
        metadata.Serve(new InstanceMetadata(InstanceId, "t3.micro", "ami-12345678"));
        node.WriteNodeEnv(new NodeEnvFile()
            .Set("AWSRUNNER_POWEROFF", "touch " + ShellQuote.Quote(node.PoweredOffMark))
            .Set("AWSRUNNER_METADATA_URL", metadata.BaseUrl(InstanceId)));
        await node.RunnerAsync("start", "install");
        await node.WaitForStateAsync("ready");
    }

    [TearDown]
    public async Task TearDown()
    {
        node.Dispose();
        await metadata.DisposeAsync();
    }

    [Test]
    public async Task Run_InterruptionNotice_StopsTheJobWithTermAndUploadsWhatItLeftAsPreempted()
    {
        // The job checkpoints on SIGTERM, as a job told of the interruption would.
        node.WriteJob(
            "mkdir -p output; echo partial > output/part.txt; trap '[ -e \"$AWSRUNNER_INTERRUPTED\" ] && echo saved > output/checkpoint.txt; exit 143' TERM; " +
            "echo working; while :; do sleep 0.1; done",
            settings: Spot);

        await node.StartWorkAsync();
        await node.WaitForRowStateAsync("running");
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        Assert.That(node.RowState(), Is.EqualTo("running"), "no notice yet: the job goes on");
        metadata.Serve(new InstanceMetadata(InstanceId, "t3.micro", "ami-12345678") { Interruption = Interruption.NoticedAt(DateTimeOffset.UtcNow, TimeSpan.FromMinutes(1)) });
        await node.WaitPoweredOffAsync();

        Assert.That((node.RowState(), node.State), Is.EqualTo(("preempted", "preempted")));
        Assert.That(node.Done(), Is.EqualTo("preempted 143"), "another node takes the row's next attempt at once");
        using var status = JsonDocument.Parse(node.ReadObject("status.json"));
        Assert.That(status.RootElement.GetProperty("state").GetString(), Is.EqualTo("preempted"));
        Assert.That(node.ResultEntries(), Does.ContainKey("output/part.txt").WithValue("partial\n"));
        Assert.That(node.ResultEntries(), Does.ContainKey("output/checkpoint.txt").WithValue("saved\n"));
        Assert.That(node.ReadObject("job.log"), Does.StartWith("working\n").And.Contain("spot interruption notice"));
    }

    [Test]
    public async Task Run_InterruptionNotice_WithTwoSlotsRunning_BothRowsGoUpPreempted_AndNoOtherRowIsClaimed()
    {
        node.WriteQueue(
            [new QueueRow(1, "echo working on 1; while :; do sleep 0.1; done"), new QueueRow(2, "echo working on 2; while :; do sleep 0.1; done"), new QueueRow(3, "true")],
            env => { Spot(env); env.Set("AWSRUNNER_SLOTS", "2"); });

        await node.StartWorkAsync();
        await node.WaitForLogAsync("working on 1", 1);
        await node.WaitForLogAsync("working on 2", 2);
        metadata.Serve(new InstanceMetadata(InstanceId, "t3.micro", "ami-12345678") { Interruption = Interruption.NoticedAt(DateTimeOffset.UtcNow, TimeSpan.FromMinutes(1)) });
        await node.WaitPoweredOffAsync(TimeSpan.FromSeconds(30));

        Assert.Multiple(() =>
        {
            foreach (var row in new[] { 1, 2 })
            {
                Assert.That(node.Done(row), Is.EqualTo("preempted 143"), $"row {row}");
                Assert.That(File.ReadAllText(Path.Combine(node.Jobs(row), "job.log")), Does.StartWith($"working on {row}\n").And.Contain("spot interruption notice"));
            }

            Assert.That(File.Exists(node.QueueObject(3, 1, "claim")), Is.False, "no row is claimed after the notice");
            Assert.That(node.State, Is.EqualTo("preempted"));
        });
    }

    [Test]
    public async Task Run_JobIgnoringTerm_IsKilledAfterTheGrace()
    {
        node.WriteJob("trap '' TERM; mkdir -p output; echo partial > output/part.txt; while :; do sleep 0.1; done",
            settings: env => { Spot(env); env.Set("AWSRUNNER_STOP_GRACE_SECONDS", "2"); });
        metadata.Serve(new InstanceMetadata(InstanceId, "t3.micro", "ami-12345678") { Interruption = Interruption.NoticedAt(DateTimeOffset.UtcNow, TimeSpan.FromMinutes(1)) });

        await node.StartWorkAsync();
        await node.WaitPoweredOffAsync(TimeSpan.FromSeconds(30));

        Assert.That(node.RowState(), Is.EqualTo("preempted"));
        Assert.That(node.ResultEntries(), Does.ContainKey("output/part.txt"));
        // The job is gone at once; a beat's sleep may take a second more.
        await Support.Eventually.WaitAsync(() => node.LiveProcesses().Count == 0, TimeSpan.FromSeconds(5), "no process of the node left");
    }

    [Test]
    public async Task Run_NotSpot_NeverAsksTheMetadataService()
    {
        metadata.Serve(new InstanceMetadata(InstanceId, "t3.micro", "ami-12345678") { Interruption = Interruption.NoticedAt(DateTimeOffset.UtcNow, TimeSpan.FromMinutes(1)) });
        node.WriteJob("sleep 2; echo finished", settings: env => env.Set("AWSRUNNER_SPOT_POLL_SECONDS", "1"));

        await node.StartWorkAsync();
        await node.WaitPoweredOffAsync();

        Assert.That(node.RowState(), Is.EqualTo("done"));
        Assert.That(node.ReadObject("job.log"), Is.EqualTo("finished\n"));
    }

    private static void Spot(NodeEnvFile env) => env.Set("AWSRUNNER_SPOT", "1").Set("AWSRUNNER_SPOT_POLL_SECONDS", "1");
}
