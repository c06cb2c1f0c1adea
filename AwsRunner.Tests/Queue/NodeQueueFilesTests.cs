using System.Diagnostics;
using AwsRunner.Core.Cloud;
using AwsRunner.Core.Queue;
using AwsRunner.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using NUnit.Framework;

namespace AwsRunner.Tests.Queue;

[TestFixture]
public sealed class NodeQueueFilesTests
{
    private const string Batch = "sweep";

    private static readonly QueueNodeSettings Settings = new()
    {
        Slots = 2,
        HeartbeatSeconds = 60,
        Idle = TimeSpan.Zero,
        RetryOnExit = [3, 75],
        ResultPaths = ["output", "logs dir"],
        JobTimeout = null,
        UploadGrace = TimeSpan.FromMinutes(30),
        ResultPartBytes = 5L << 30,
    };

    private static async Task<PublishedQueue> PublishAsync(int rows)
    {
        var time = new FakeTimeProvider();
        var queueRows = Enumerable.Range(0, rows)
            .Select(i => new QueueRow(i, i % 2 == 0 ? "c5.large" : "r5.large", "true", new Dictionary<string, string>(), [1, 2, 3]))
            .ToList();
        return await new QueueWriter(new MemoryResultStore(time), time, NullLogger<QueueWriter>.Instance)
            .PublishAsync(Batch, Batch, queueRows, TimeSpan.FromHours(30), CancellationToken.None);
    }

    /// <summary>The variables bash has after sourcing both files, as the runner does.</summary>
    private static async Task<Dictionary<string, string>> SourcedAsync(NodeQueueFiles files)
    {
        using var folder = new TempFolder();
        foreach (var (name, text) in files.Files)
        {
            folder.Write(name, text);
        }

        var sourced = new Dictionary<string, string>();
        var print = await ChildProcess.RunAsync(
            new ProcessStartInfo("bash", ["-c", "set -eu; . ./work.env; . ./queue.env; for v in ${!AWSRUNNER_*}; do printf '%s=%s\\0' \"$v\" \"${!v}\"; done"])
            {
                WorkingDirectory = folder.Path,
            }, null, CancellationToken.None);
        Assert.That(print.ExitCode, Is.EqualTo(0), print.Error);
        foreach (var pair in print.Output.Split('\0', StringSplitOptions.RemoveEmptyEntries).Select(p => p.Split('=', 2)))
        {
            sourced[pair[0]] = pair[1];
        }

        return sourced;
    }

    [Test]
    public async Task ForNode_WorkEnv_SaysWhoTheNodeIsAndHowItWorks()
    {
        var queue = await PublishAsync(40);

        var env = await SourcedAsync(queue.ForNode(new QueueNode("i-0abc", "c5.large", Spot: true, Ordinal: 1, Count: 4), Settings));

        Assert.Multiple(() =>
        {
            Assert.That(env["AWSRUNNER_JOB"], Is.EqualTo(Batch));
            Assert.That(env["AWSRUNNER_NODE"], Is.EqualTo("i-0abc"));
            Assert.That(env["AWSRUNNER_TYPE"], Is.EqualTo("c5.large"));
            Assert.That(env["AWSRUNNER_SLOTS"], Is.EqualTo("2"));
            Assert.That(env["AWSRUNNER_FIRST"], Is.EqualTo("5"), "the second of 4 nodes over 20 rows");
            Assert.That(env["AWSRUNNER_HEARTBEAT_SECONDS"], Is.EqualTo("60"));
            Assert.That(env["AWSRUNNER_LEASE_SECONDS"], Is.EqualTo("190"), "three beats and 10 s, as a dispatcher judges a node hung");
            Assert.That(env["AWSRUNNER_IDLE_SECONDS"], Is.EqualTo("0"));
            Assert.That(env["AWSRUNNER_RETRY_ON_EXIT"], Is.EqualTo("3 75"));
            Assert.That(env["AWSRUNNER_RETRY_STATES"], Is.EqualTo("preempted"));
            Assert.That(env["AWSRUNNER_SPOT"], Is.EqualTo("1"));
            Assert.That(env["AWSRUNNER_RESULTS"], Is.EqualTo("output\nlogs dir"));
            Assert.That(env["AWSRUNNER_TIMEOUT_SECONDS"], Is.EqualTo("0"));
            Assert.That(env["AWSRUNNER_UPLOAD_GRACE_SECONDS"], Is.EqualTo("1800"));
            Assert.That(env["AWSRUNNER_RESULTS_PART_BYTES"], Is.EqualTo("5368709120"));
        });
    }

    [Test]
    public async Task ForNode_QueueEnv_HoldsItsTypesShardsTheListPagesAndTwoHundredPartsOfItsOwn()
    {
        var queue = await PublishAsync(2_400);

        var env = await SourcedAsync(queue.ForNode(new QueueNode("i-0abc", "r5.large", Spot: false, Ordinal: 0, Count: 1), Settings));

        Assert.Multiple(() =>
        {
            Assert.That(env["AWSRUNNER_SHARDS"], Is.EqualTo("2"), "1,200 rows of r5.large");
            Assert.That(env["AWSRUNNER_SHARD_2"], Is.EqualTo("mem://sweep/sweep/queue/r5.large/shard-00001.tar.gz"));
            Assert.That(env["AWSRUNNER_LISTS"], Is.EqualTo(queue.Types["r5.large"].Lists.Count.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            Assert.That(queue.Types["r5.large"].Lists, Has.Count.EqualTo(22), "2,400 rows at 9 objects: 111 rows of both types a page");
            Assert.That(env["AWSRUNNER_LIST_1"], Is.EqualTo("mem://sweep/?prefix=sweep%2Fqueue%2Frows%2F&start-after=sweep%2Fqueue%2Frows%2F0001%2F"),
                "the first page starts at the type's first row");
            Assert.That(env["AWSRUNNER_PARTS"], Is.EqualTo("200"));
            Assert.That(env["AWSRUNNER_URL_PART_1"], Is.EqualTo("mem://sweep/sweep/parts/i-0abc/00001"));
            Assert.That(env["AWSRUNNER_URL_PART_200"], Is.EqualTo("mem://sweep/sweep/parts/i-0abc/00200"));
            Assert.That(env.Keys.Where(k => k.StartsWith("AWSRUNNER_URL_PART_", StringComparison.Ordinal)).Count(), Is.EqualTo(200));
            Assert.That(env["AWSRUNNER_SPOT"], Is.EqualTo("0"));
        });
    }

    [Test]
    public async Task ForNode_NodesOfAType_StartSpreadOverItsRows()
    {
        var queue = await PublishAsync(2_000);

        var firsts = Enumerable.Range(0, 3)
            .Select(n => queue.ForNode(new QueueNode($"i-{n}", "c5.large", Spot: false, Ordinal: n, Count: 3), Settings).WorkEnv)
            .Select(text => text.Split('\n').Single(l => l.StartsWith("AWSRUNNER_FIRST=", StringComparison.Ordinal)));

        Assert.That(firsts, Is.EqualTo(new[] { "AWSRUNNER_FIRST='0'", "AWSRUNNER_FIRST='333'", "AWSRUNNER_FIRST='666'" }));
    }

    [Test]
    public async Task ForNode_OfATypeWithoutRows_IsRefused()
    {
        var queue = await PublishAsync(4);

        Assert.That(() => queue.ForNode(new QueueNode("i-0abc", "m5.large", Spot: false, Ordinal: 0, Count: 1), Settings),
            Throws.ArgumentException.With.Message.Contains("no row of type m5.large"));
    }
}
