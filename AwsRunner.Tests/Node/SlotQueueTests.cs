using System.Diagnostics;
using AwsRunner.Core.Node;
using AwsRunner.Tests.Support;

namespace AwsRunner.Tests.Node;

/// <summary>Local nodes queue for the machine's job slots (AWSRUNNER_SLOTS_DIR) asleep, and take them as they are released.</summary>
public sealed class SlotQueueTests
{
    private const int Slots = 2;
    private readonly List<RunnerNode> nodes = [];
    private string slots = null!;

    [SetUp]
    public void SetUp()
    {
        nodes.AddRange(Enumerable.Range(0, 3).Select(_ => new RunnerNode()));
        slots = Path.Combine(nodes[0].Bucket, "slots");
    }

    [TearDown]
    public void TearDown()
    {
        foreach (var node in nodes)
        {
            node.Dispose();
        }

        nodes.Clear();
    }

    [Test]
    public async Task Run_EverySlotTaken_TheQueuedNodesSleepUntilASlotIsReleased()
    {
        foreach (var node in nodes)
        {
            await InstallAsync(node);
            node.WriteJob("true", settings: env => env.Set("AWSRUNNER_HEARTBEAT_SECONDS", "600"));
        }

        using var holder = HoldEverySlot();
        try
        {
            foreach (var node in nodes.Take(2))
            {
                await node.RunnerAsync("start", "run");
            }

            // The first node waits on both slots, the second at the door: three flocks, and then nothing moves.
            await Eventually.WaitAsync(() => Flocks(nodes), n => n == Slots + 1, TimeSpan.FromSeconds(20), "the queued nodes to sleep in flock");
            var before = Activity(nodes);
            await Task.Delay(TimeSpan.FromSeconds(2.5));
            var after = Activity(nodes);

            Assert.That(after.Keys, Is.EquivalentTo(before.Keys), "no process started or ended while the nodes waited");
            Assert.That(after, Is.EqualTo(before), "no waiting process woke up (context switches per pid)");
            Assert.That(nodes.Take(2).Select(n => n.State), Is.All.EqualTo("queued"));
        }
        finally
        {
            holder.Kill();
        }

        await nodes[2].RunnerAsync("start", "run");
        foreach (var node in nodes)
        {
            await node.WaitPoweredOffAsync();
            Assert.That(node.State, Is.EqualTo("done"));
        }
    }

    [Test]
    public async Task Run_OneSlotHeldByALongJob_ShortJobsTakeTheOtherSlotInTurn()
    {
        var release = Path.Combine(nodes[0].Bucket, "release");
        foreach (var node in nodes)
        {
            await InstallAsync(node);
        }

        nodes[0].WriteJob($"while [ ! -e {ShellQuote.Quote(release)} ]; do sleep 0.1; done");
        await nodes[0].RunnerAsync("start", "run");
        await nodes[0].WaitForStateAsync("running");
        foreach (var node in nodes.Skip(1))
        {
            node.WriteJob("true");
            await node.RunnerAsync("start", "run");
        }

        foreach (var node in nodes.Skip(1))
        {
            await node.WaitPoweredOffAsync();
            Assert.That(node.State, Is.EqualTo("done"));
        }

        Assert.That(nodes[0].State, Is.EqualTo("running"), "the long job still holds its slot");
        File.WriteAllText(release, "");
        await nodes[0].WaitPoweredOffAsync();
    }

    private async Task InstallAsync(RunnerNode node)
    {
        node.WriteNodeEnv(new NodeEnvFile()
            .Set("AWSRUNNER_POWEROFF", "touch " + ShellQuote.Quote(node.PoweredOffMark))
            .Set("AWSRUNNER_SLOTS_DIR", slots)
            .Set("AWSRUNNER_SLOTS", Slots.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        await node.RunnerAsync("start", "install");
        await node.WaitForStateAsync("ready");
    }

    /// <summary>A process that holds every slot until it is killed.</summary>
    private Process HoldEverySlot()
    {
        Directory.CreateDirectory(slots);
        var script = string.Concat(Enumerable.Range(0, Slots).Select(i => $"exec {3 + i}> {ShellQuote.Quote(Path.Combine(slots, $"slot{i}"))}; flock {3 + i}; ")) + "echo held; exec sleep 600";
        var holder = Process.Start(new ProcessStartInfo("bash", ["-c", script]) { RedirectStandardOutput = true })!;
        Assert.That(holder.StandardOutput.ReadLine(), Is.EqualTo("held"));
        return holder;
    }

    private static int Flocks(IEnumerable<RunnerNode> of) =>
        of.SelectMany(n => n.LiveProcesses()).Count(pid => Read($"/proc/{pid}/cmdline").StartsWith("flock\0", StringComparison.Ordinal));

    /// <summary>Each live process of the nodes with its context switches so far: a process that wakes up adds one.</summary>
    private static Dictionary<int, string> Activity(IEnumerable<RunnerNode> of) =>
        of.SelectMany(n => n.LiveProcesses()).ToDictionary(
            pid => pid,
            pid => string.Join(" ", Read($"/proc/{pid}/status").Split('\n').Where(l => l.Contains("ctxt_switches", StringComparison.Ordinal))));

    private static string Read(string file)
    {
        try
        {
            return File.ReadAllText(file);
        }
        catch (IOException)
        {
            return "";
        }
    }
}
