using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using AwsRunner.Tests.Support;

namespace AwsRunner.Tests.Cli;

/// <summary>
/// Batches of more rows than nodes on the local cloud: the nodes claim the rows from the bucket, a node that dies
/// leaves its row to another, and the batch finishes with no awsrunner running.
/// </summary>
public sealed class QueueBatchTests
{
    private LocalBatch batch = null!;

    [SetUp]
    public void SetUp() => batch = new LocalBatch();

    [TearDown]
    public void TearDown() => batch.Dispose();

    [Test]
    public async Task ThirtyRowsOnThreeNodesOfTwoSlots_GiveThirtyResults_OnAtMostThreeNodes_NeverMoreThanSixAtOnce()
    {
        var running = batch.Path("running");
        Directory.CreateDirectory(running);
        // Each row marks itself running while it works, and writes how many rows ran then, and a result of its own.
        batch.Write("project/row.sh", $$"""
            touch '{{running}}/'$AWSRUNNER_INDEX
            sleep 0.3
            mkdir -p output
            ls '{{running}}' | wc -l > output/concurrent.txt
            seq "$seed" | sha256sum > output/result.txt
            rm '{{running}}/'$AWSRUNNER_INDEX
            """);
        batch.Write("project/jobs.csv", "instance_type,command,seed\n" + string.Concat(Enumerable.Range(1, 30).Select(i => $"t3.micro,bash row.sh,{i * 7}\n")));

        var run = await batch.RunAsync("dispatch", "local", "thirty", "project/jobs.csv", "--cloud", "local", "--create", "--dispatch", "--wait",
            "--max-instances", "3", "--slots", "2", "--max-parallel", "6");
        var fetch = await batch.RunAsync("fetch", "thirty", "out");

        Assert.That(run.ExitCode, Is.Zero, run.ToString());
        Assert.That(fetch.ExitCode, Is.Zero, fetch.ToString());
        for (var row = 0; row < 30; row++)
        {
            var expected = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(
                System.Text.Encoding.ASCII.GetBytes(string.Concat(Enumerable.Range(1, (row + 1) * 7).Select(n => $"{n}\n"))))) + "  -\n";
            Assert.That(File.ReadAllText(batch.Path("out", $"{row:D4}", "output", "result.txt")), Is.EqualTo(expected), $"row {row}'s result");
        }

        var concurrent = Enumerable.Range(0, 30).Select(row => int.Parse(File.ReadAllText(batch.Path("out", $"{row:D4}", "output", "concurrent.txt")).Trim(), CultureInfo.InvariantCulture)).ToList();
        Assert.That(concurrent.Max(), Is.InRange(2, 6), "rows ran side by side, never more than 3 nodes of 2 slots");
        Assert.That(Directory.GetDirectories(batch.Path("home", ".local-cloud", "nodes", "thirty")), Has.Length.EqualTo(3), "three nodes ever launched");
        using var status = JsonDocument.Parse((await batch.RunAsync("status", "thirty", "--json")).Output);
        var nodes = status.RootElement.GetProperty("nodes").EnumerateArray().ToList();
        Assert.That(nodes, Has.Count.EqualTo(3));
        Assert.That(nodes.Sum(n => n.GetProperty("finished").GetInt32()), Is.EqualTo(30), "every row run once");
        Assert.That(run.Output, Does.Contain("NODE").And.Contain("FINISHED"), "the final status has the nodes' table");
    }

    [Test]
    public async Task NodeKilledMidRow_ItsRowIsFinishedOnAnotherNode_NoOtherRowRunsTwice_WithNoAwsrunnerRunning()
    {
        var runs = batch.Path("runs");
        Directory.CreateDirectory(runs);
        var first = batch.Path("first-attempt");
        // Row 0's first attempt works until its node is gone; every attempt of every row leaves a line.
        batch.Write("project/row.sh", $$"""
            echo "$AWSRUNNER_ATTEMPT" >> '{{runs}}/'$AWSRUNNER_INDEX
            if [ "$AWSRUNNER_INDEX" = 0 ] && [ "$AWSRUNNER_ATTEMPT" = 1 ]; then touch '{{first}}'; sleep 300; fi
            sleep 2
            mkdir -p output
            echo "row $AWSRUNNER_INDEX attempt $AWSRUNNER_ATTEMPT" > output/result.txt
            """);
        batch.Write("project/jobs.csv", "instance_type,command\n" + string.Concat(Enumerable.Repeat("t3.micro,bash row.sh\n", 6)));

        var dispatch = await batch.RunAsync("dispatch", "local", "relay", "project/jobs.csv", "--cloud", "local", "--create", "--dispatch",
            "--max-instances", "2", "--heartbeat", "1s");
        Assert.That(dispatch.ExitCode, Is.Zero, dispatch.ToString());
        await Eventually.WaitAsync(() => File.Exists(first), TimeSpan.FromSeconds(60), "row 0 to start");
        var holder = NodeRunning(0);
        Process.Start("bash", [Path.Combine(holder, "poweroff.sh")])!.WaitForExit();

        await Eventually.WaitAsync(
            () => batch.StatesAsync("relay").GetAwaiter().GetResult(),
            states => states.All(s => s == "done"),
            TimeSpan.FromSeconds(120),
            "every row to be done, no awsrunner running");
        await Eventually.WaitAsync(() => batch.LiveNodeProcesses().Count == 0, TimeSpan.FromSeconds(30), "every node to power off");
        var fetch = await batch.RunAsync("fetch", "relay", "out");

        Assert.That(fetch.ExitCode, Is.Zero, fetch.ToString());
        Assert.That(File.ReadAllText(batch.Path("out", "0000", "output", "result.txt")), Is.EqualTo("row 0 attempt 2\n"));
        Assert.That(File.ReadAllText(Path.Combine(runs, "0")), Is.EqualTo("1\n2\n"), "row 0 ran twice: its first attempt died with its node");
        for (var row = 1; row < 6; row++)
        {
            Assert.That(File.ReadAllText(Path.Combine(runs, $"{row}")), Is.EqualTo("1\n"), $"row {row} ran once");
        }

        Assert.That(Directory.GetDirectories(batch.Path("home", ".local-cloud", "nodes", "relay")), Has.Length.EqualTo(2), "no node was launched for it");
    }

    [Test]
    public async Task AwsrunnerKilledRightAfterDispatch_TheBatchStillFinishes_AndFetchGetsEveryRow()
    {
        batch.Write("project/jobs.csv", "instance_type,command,n\n" + string.Concat(Enumerable.Range(0, 12).Select(i => $"t3.micro,\"sleep 1; mkdir -p output; echo $n > output/n.txt\",{i}\n")));
        string[] command = ["dispatch", "local", "closed", "project/jobs.csv", "--cloud", "local", "--create", "--dispatch", "--wait", "--no-progress", "--max-instances", "2"];
        using var laptop = batch.Cli.Start(command);

        // Both nodes were handed the queue and work through it: the laptop closes, awsrunner with it.
        var nodes = batch.Path("home", ".local-cloud", "nodes", "closed");
        await Eventually.WaitAsync(
            () => Directory.Exists(nodes) ? Directory.GetDirectories(nodes).Count(n => File.Exists(Path.Combine(n, "home", "awsrunner", "work.pid"))) : 0,
            working => working == 2,
            TimeSpan.FromSeconds(60),
            "both nodes to work");
        laptop.Kill();
        await laptop.WaitForExitAsync();
        Assert.That(await batch.StatesAsync("closed"), Has.Some.Not.EqualTo("done"), "the laptop closed before the batch was over");

        await Eventually.WaitAsync(() => batch.LiveNodeProcesses().Count == 0, TimeSpan.FromSeconds(60), "the nodes to finish and power off");
        var fetch = await batch.RunAsync("fetch", "closed", "out");

        Assert.That(fetch.ExitCode, Is.Zero, fetch.ToString());
        Assert.That(Enumerable.Range(0, 12).Select(i => File.ReadAllText(batch.Path("out", $"{i:D4}", "output", "n.txt"))),
            Is.EqualTo(Enumerable.Range(0, 12).Select(i => $"{i}\n")));
    }

    // The folder of the local node whose runner runs row's current attempt.
    private string NodeRunning(int row)
    {
        using var status = JsonDocument.Parse(batch.RunAsync("status", "relay", "--json").GetAwaiter().GetResult().Output);
        var instance = status.RootElement.GetProperty("jobs")[row].GetProperty("instance_id").GetString();
        return Directory.GetDirectories(batch.Path("home", ".local-cloud", "nodes", "relay"))
            .Single(n => File.ReadAllText(Path.Combine(n, "instance.json")).Contains(instance!, StringComparison.Ordinal));
    }
}
