using AwsRunner.Core.Node;
using AwsRunner.Tests.Support;

namespace AwsRunner.Tests.Node;

/// <summary>
/// A node's AWSRUNNER_SLOTS slots: each takes the next row as it comes free, a long row holding only its own; while
/// every slot runs, the node's walk sleeps on its events pipe, and each slot works in a copy of the code of its own.
/// </summary>
public sealed class SlotQueueTests
{
    private RunnerNode node = null!;

    [SetUp]
    public void SetUp() => node = new RunnerNode();

    [TearDown]
    public void TearDown() => node.Dispose();

    [Test]
    public async Task Work_EverySlotBusy_TheWalkSleepsUntilARowEnds()
    {
        var release = Path.Combine(node.Bucket, "release");
        var wait = $"while [ ! -e {ShellQuote.Quote(release)} ]; do sleep 0.2; done";
        await node.InstallAsync();
        node.WriteQueue([new QueueRow(1, wait), new QueueRow(2, wait), new QueueRow(3, "true")],
            env => env.Set("AWSRUNNER_SLOTS", "2").Set("AWSRUNNER_HEARTBEAT_SECONDS", "600"));

        await node.StartWorkAsync();
        await node.WaitForRowStateAsync("running", 1);
        await node.WaitForRowStateAsync("running", 2);
        var walk = int.Parse(File.ReadAllText(Path.Combine(node.Runner, "work.pid")).Trim(), System.Globalization.CultureInfo.InvariantCulture);
        var before = ContextSwitches(walk);
        await Task.Delay(TimeSpan.FromSeconds(2));
        var after = ContextSwitches(walk);

        Assert.That(after, Is.EqualTo(before), "the walk did not wake up while both slots ran");
        Assert.That(node.RowState(3), Is.EqualTo("none"), "no third row while both slots run");
        File.WriteAllText(release, "");
        await node.WaitPoweredOffAsync();
        Assert.That(Enumerable.Range(1, 3).Select(i => node.Done(i)), Is.All.EqualTo("done 0"));
    }

    [Test]
    public async Task Work_OneSlotHeldByALongRow_ShortRowsTakeTheOtherSlotInTurn()
    {
        var release = Path.Combine(node.Bucket, "release");
        await node.InstallAsync();
        node.WriteQueue(
            [new QueueRow(0, $"while [ ! -e {ShellQuote.Quote(release)} ]; do sleep 0.1; done"), .. Enumerable.Range(1, 5).Select(i => new QueueRow(i, "true"))],
            env => env.Set("AWSRUNNER_SLOTS", "2"));

        await node.StartWorkAsync();
        await Eventually.WaitAsync(() => Enumerable.Range(1, 5).All(i => node.Done(i) == "done 0"), TimeSpan.FromSeconds(30), "the short rows through the other slot");

        Assert.That(node.RowState(0), Is.EqualTo("running"), "the long row still holds its slot");
        Assert.That(node.PoweredOff, Is.False);
        File.WriteAllText(release, "");
        await node.WaitPoweredOffAsync();
        Assert.That(node.Done(0), Is.EqualTo("done 0"));
    }

    [Test]
    public async Task Work_TwoSlots_EachRowWorksInItsSlotsCopyOfTheCode_AndItsResultsAreItsOwn()
    {
        // The code ships an output folder of its own: a row's results hold only what it wrote there.
        Directory.CreateDirectory(Path.Combine(node.Code, "output"));
        File.WriteAllText(Path.Combine(node.Code, "output", "shipped.txt"), "from the code\n");
        File.WriteAllText(Path.Combine(node.Code, "data.txt"), "data\n");
        await node.InstallAsync();
        node.WriteQueue(
            Enumerable.Range(0, 6).Select(i => new QueueRow(i, "cat data.txt && echo \"$PWD\" > output/row-$AWSRUNNER_INDEX.txt")).ToList(),
            env => env.Set("AWSRUNNER_SLOTS", "2"));

        await node.StartWorkAsync();
        await node.WaitPoweredOffAsync();

        var folders = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < 6; i++)
        {
            var entries = RunnerNode.ArchiveEntries(File.ReadAllBytes(Path.Combine(node.Jobs(i), "results.tar.gz")));
            Assert.That(entries.Keys, Is.EquivalentTo(new[] { "job.log", $"output/row-{i}.txt" }), $"row {i}");
            folders.Add(entries[$"output/row-{i}.txt"].Trim());
        }

        Assert.That(folders, Is.SubsetOf(new[] { Path.Combine(node.Runner, "slots", "1", "code"), Path.Combine(node.Runner, "slots", "2", "code") }));
        Assert.That(File.ReadAllText(Path.Combine(node.Code, "output", "shipped.txt")), Is.EqualTo("from the code\n"), "the node's own code folder is left as it was");
    }

    private static string ContextSwitches(int pid) =>
        string.Join(" ", File.ReadAllLines($"/proc/{pid}/status").Where(l => l.Contains("ctxt_switches", StringComparison.Ordinal)));
}
