using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using AwsRunner.Tests.Support;

namespace AwsRunner.Tests.Sim;

/// <summary>
/// Batches of more rows than nodes on the shared fleet: the nodes claim rows by conditional PUTs through presigned
/// URLs (moto's S3), judge leases on its clock, and finish the batch with no awsrunner running.
/// </summary>
[TestFixture]
[Parallelizable(ParallelScope.Children)]
[FixtureLifeCycle(LifeCycle.InstancePerTestCase)]
public sealed class FleetQueueTests
{
    private static readonly TimeSpan RunTimeout = TimeSpan.FromSeconds(240);

    private static SimulatedFleet? fleet;

    private FleetBatch? batch;
    private TempFolder? shared;

    private static SimulatedFleet Fleet => fleet ?? throw new InvalidOperationException("no fleet");

    [OneTimeSetUp]
    public static async Task StartFleetAsync() => fleet = await SharedFleet.GetAsync();

    [TearDown]
    public async Task NothingOfTheBatchIsLeftAsync()
    {
        if (batch is not null)
        {
            await batch.EndAsync();
        }

        shared?.Dispose();
    }

    [Test]
    public async Task ThirtyRowsOnThreeNodesOfTwoSlots_GiveThirtyResultsByteForByte_OnAtMostThreeInstances_NeverMoreThanSixAtOnce()
    {
        batch = new FleetBatch(Fleet, "fleet-queue-thirty");
        shared = new TempFolder();
        var running = shared.Combine("running");
        Directory.CreateDirectory(running);
        // The fleet's nodes share this machine's disk: each row marks itself running there while it works.
        batch.Write("code/row.sh", $$"""
            touch '{{running}}/'$AWSRUNNER_INDEX
            sleep 0.5
            mkdir -p output
            ls '{{running}}' | wc -l > output/concurrent.txt
            seq "$seed" | sha256sum > output/result.txt
            rm '{{running}}/'$AWSRUNNER_INDEX
            """);
        batch.Write("code/jobs.csv", "instance_type,command,seed\n" + string.Concat(Enumerable.Range(1, 30).Select(i => $"t3.micro,bash row.sh,{i * 7}\n")));

        var run = await batch.DispatchAsync("--wait", "--max-instances", "3", "--slots", "2", "--heartbeat", "2s");
        var fetch = await batch.RunAsync("fetch", batch.Name, batch.Output);

        Assert.That(run.ExitCode, Is.Zero, run.ToString());
        Assert.That(fetch.ExitCode, Is.Zero, fetch.ToString());
        var intact = Enumerable.Range(0, 30).Count(row =>
            File.ReadAllText(Path.Combine(batch.Output, $"{row:D4}", "output", "result.txt")) == ExpectedResult((row + 1) * 7));
        ReliabilityLedger.Results(30, intact);
        Assert.That(intact, Is.EqualTo(30), "every row's result, byte for byte");
        var concurrent = Enumerable.Range(0, 30)
            .Select(row => int.Parse(File.ReadAllText(Path.Combine(batch.Output, $"{row:D4}", "output", "concurrent.txt")).Trim(), CultureInfo.InvariantCulture))
            .ToList();
        Assert.That(concurrent.Max(), Is.InRange(2, 6), "rows ran side by side, never more than 3 nodes of 2 slots");
        Assert.That(await batch.InstancesAsync(), Has.Count.InRange(1, 3), "at most three instances ever launched");
        await batch.WaitTerminatedAsync(TimeSpan.FromSeconds(60));
    }

    [Test]
    public async Task InstanceTerminatedMidRow_ItsRowIsFinishedOnAnotherNode_NoOtherRowRunsTwice_WithNoAwsrunnerRunning()
    {
        batch = new FleetBatch(Fleet, "fleet-queue-relay");
        shared = new TempFolder();
        var runs = shared.Combine("runs");
        Directory.CreateDirectory(runs);
        var first = shared.Combine("first-attempt");
        batch.Write("code/row.sh", $$"""
            echo "$AWSRUNNER_ATTEMPT" >> '{{runs}}/'$AWSRUNNER_INDEX
            if [ "$AWSRUNNER_INDEX" = 0 ] && [ "$AWSRUNNER_ATTEMPT" = 1 ]; then touch '{{first}}'; sleep 300; fi
            sleep 3
            mkdir -p output
            echo "row $AWSRUNNER_INDEX attempt $AWSRUNNER_ATTEMPT" > output/result.txt
            """);
        batch.Write("code/jobs.csv", "instance_type,command\n" + string.Concat(Enumerable.Repeat("t3.micro,bash row.sh\n", 6)));

        var dispatch = await batch.DispatchAsync("--max-instances", "2", "--heartbeat", "1s");
        Assert.That(dispatch.ExitCode, Is.Zero, dispatch.ToString());
        await Eventually.WaitAsync(() => File.Exists(first), RunTimeout, "row 0 to start");
        var holder = FleetBatch.InstanceOfJob(await batch.StatusAsync())[0];
        await Fleet.Ec2.TerminateInstancesAsync([holder], CancellationToken.None);

        await Eventually.WaitAsync(
            () => FleetBatch.States(batch.StatusAsync().GetAwaiter().GetResult()),
            states => states.All(s => s == "done"),
            RunTimeout,
            "every row to be done, no awsrunner running");
        await batch.WaitTerminatedAsync(TimeSpan.FromSeconds(60));
        var fetch = await batch.RunAsync("fetch", batch.Name, batch.Output);

        Assert.That(fetch.ExitCode, Is.Zero, fetch.ToString());
        Assert.That(File.ReadAllText(Path.Combine(batch.Output, "0000", "output", "result.txt")), Is.EqualTo("row 0 attempt 2\n"));
        Assert.That(File.ReadAllText(Path.Combine(runs, "0")), Is.EqualTo("1\n2\n"), "row 0 ran again: its first attempt died with its instance");
        for (var row = 1; row < 6; row++)
        {
            Assert.That(File.ReadAllText(Path.Combine(runs, $"{row}")), Is.EqualTo("1\n"), $"row {row} ran once");
        }

        Assert.That(await batch.InstancesAsync(), Has.Count.EqualTo(2), "no instance was launched for it");
    }

    [Test]
    public async Task AwsrunnerKilledRightAfterDispatch_TheBatchStillFinishes_AndFetchGetsEveryRow()
    {
        batch = new FleetBatch(Fleet, "fleet-queue-closed");
        batch.Write("code/jobs.csv", "instance_type,command,n\n" + string.Concat(Enumerable.Range(0, 12).Select(i => $"t3.micro,\"sleep 1; mkdir -p output; echo $n > output/n.txt\",{i}\n")));
        using var laptop = batch.StartDispatch("--wait", "--max-instances", "2", "--heartbeat", "2s");
        var said = (laptop.StandardOutput.ReadToEndAsync(), laptop.StandardError.ReadToEndAsync());

        // Both nodes were handed the queue: the laptop's awsrunner is killed.
        await Eventually.WaitAsync(
            () =>
            {
                Assert.That(laptop.HasExited, Is.False, "the dispatch ended early");
                return batch.InstancesAsync().GetAwaiter().GetResult()
                    .Count(i => File.Exists(Path.Combine(Fleet.NodeHome(i.InstanceId), "awsrunner", "work.pid")));
            },
            working => working == 2,
            RunTimeout,
            "both nodes to work");
        laptop.Kill();
        await laptop.WaitForExitAsync();
        await Task.WhenAll(said.Item1, said.Item2);

        await batch.WaitTerminatedAsync(RunTimeout);
        var fetch = await batch.RunAsync("fetch", batch.Name, batch.Output);

        Assert.That(fetch.ExitCode, Is.Zero, fetch.ToString());
        Assert.That(Enumerable.Range(0, 12).Select(i => File.ReadAllText(Path.Combine(batch.Output, $"{i:D4}", "output", "n.txt"))),
            Is.EqualTo(Enumerable.Range(0, 12).Select(i => $"{i}\n")));
    }

    private static string ExpectedResult(int seed) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.ASCII.GetBytes(string.Concat(Enumerable.Range(1, seed).Select(n => $"{n}\n"))))) + "  -\n";
}
