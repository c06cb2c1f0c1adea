using AwsRunner.Core.Node;
using AwsRunner.Tests.Support;

namespace AwsRunner.Tests.Node;

/// <summary>
/// The node's queue over HTTP, against moto_server on 127.0.0.1 with presigned URLs: claims by PUT with the two signed
/// headers (200 won, 412 taken), the LIST's XML read with sed and judged on the Date of its response, a .done told
/// by its ETag, and the PUTs' time limits.
/// </summary>
[NonParallelizable]
public sealed class NodeQueueHttpTests
{
    private readonly List<RunnerNode> nodes = [];
    private MotoQueueBucket bucket = null!;

    [SetUp]
    public async Task SetUp()
    {
        bucket = await MotoQueueBucket.CreateAsync();
        nodes.Add(new RunnerNode());
    }

    [TearDown]
    public void TearDown()
    {
        foreach (var node in nodes)
        {
            node.Dispose();
        }

        nodes.Clear();
        bucket.Dispose();
    }

    [Test]
    public async Task Work_TwoNodesOverHttp_ClaimEachRowOnce_SendingTheSignedHeaders_AndUploadEveryObject()
    {
        const int Rows = 12;
        var curls = Path.Combine(nodes[0].Home, "..", "curl-calls");
        nodes.Add(new RunnerNode(nodes[0].Bucket, "i-0second"));
        var rows = Enumerable.Range(0, Rows).Select(i => new QueueRow(i, "mkdir -p output && echo $AWSRUNNER_INDEX > output/row.txt && echo row $AWSRUNNER_INDEX")).ToList();
        foreach (var node in nodes)
        {
            RecordCurl(node, curls);
            await node.InstallAsync();
            await bucket.WriteQueueAsync(node, rows, env => env.Set("AWSRUNNER_SLOTS", "2"));
        }

        await Task.WhenAll(nodes.Select(n => n.StartWorkAsync()));
        foreach (var node in nodes)
        {
            await node.WaitPoweredOffAsync(TimeSpan.FromSeconds(60));
        }

        var claims = File.ReadAllLines(curls).Where(l => l.Contains(".claim?", StringComparison.Ordinal)).ToList();
        var objects = new Dictionary<string, string?>(StringComparer.Ordinal);
        for (var i = 0; i < Rows; i++)
        {
            var name = Core.Jobs.JobIndex.Format(i);
            foreach (var key in new[] { $"unit/queue/rows/{name}/1.done", $"unit/queue/rows/{name}/1.claim", $"unit/jobs/{name}/job.log", $"unit/jobs/{name}/status.json" })
            {
                objects[key] = await bucket.ReadAsync(key);
            }
        }

        Assert.Multiple(() =>
        {
            for (var i = 0; i < Rows; i++)
            {
                var name = Core.Jobs.JobIndex.Format(i);
                Assert.That(objects[$"unit/queue/rows/{name}/1.done"], Is.EqualTo("done 0\n"), $"row {i}");
                Assert.That(objects[$"unit/queue/rows/{name}/1.claim"], Does.Match("^node=i-0(test|second) slot=[12]$"));
                Assert.That(objects[$"unit/jobs/{name}/job.log"], Is.EqualTo($"row {i}\n"));
                Assert.That(objects[$"unit/jobs/{name}/status.json"], Does.Contain("\"state\":\"done\""));
            }

            Assert.That(nodes.Sum(n => Enumerable.Range(0, Rows).Count(i => n.RowState(i) == "done")), Is.EqualTo(Rows), "each row ran on one node");
            Assert.That(claims, Is.All.Contain("-H If-None-Match: * -H Content-Type: application/octet-stream"));
            Assert.That(claims, Has.Count.GreaterThanOrEqualTo(Rows));
        });
    }

    [Test]
    public async Task Work_OverHttp_LeasesAreJudgedOnTheBucketsClock_AndADoneIsToldByItsETag()
    {
        var node = nodes[0];
        await node.InstallAsync();
        // Row 1: its attempt 1 was lost a few seconds ago (a lease of 3 s). Row 2: attempt 1's node beats still. Row
        // 3: preempted, worth another attempt at once. Row 4: failed with an exit code no one asked to retry.
        await bucket.WriteAsync("unit/queue/rows/0001/1.claim", "node=i-0lost slot=1");
        await bucket.WriteAsync("unit/queue/rows/0001/1.heartbeat.json", "{}");
        await bucket.WriteAsync("unit/queue/rows/0003/1.claim", "node=i-0other slot=1");
        await bucket.WriteAsync("unit/queue/rows/0003/1.done", "preempted 143\n");
        await bucket.WriteAsync("unit/queue/rows/0004/1.claim", "node=i-0other slot=1");
        await bucket.WriteAsync("unit/queue/rows/0004/1.done", "failed 1\n");
        await bucket.WriteAsync("unit/queue/rows/0002/1.claim", "node=i-0other slot=1");
        using var beating = new CancellationTokenSource();
        var beats = Task.Run(async () =>
        {
            while (!beating.IsCancellationRequested)
            {
                await bucket.WriteAsync("unit/queue/rows/0002/1.heartbeat.json", "{}");
                await Task.Delay(TimeSpan.FromSeconds(0.5));
            }
        });
        await Task.Delay(TimeSpan.FromSeconds(5));
        await bucket.WriteQueueAsync(node, Enumerable.Range(1, 4).Select(i => new QueueRow(i, "echo attempt $AWSRUNNER_ATTEMPT") { Attempts = [1, 2] }).ToList(),
            env => env.Set("AWSRUNNER_LEASE_SECONDS", "3").Set("AWSRUNNER_RETRY_ON_EXIT", "75"));

        await node.StartWorkAsync();
        await node.WaitPoweredOffAsync(TimeSpan.FromSeconds(30));
        await beating.CancelAsync();
        await beats;

        var lost = await bucket.ReadAsync("unit/queue/rows/0001/2.done");
        var beaten = await bucket.ReadAsync("unit/queue/rows/0002/2.claim");
        var preempted = await bucket.ReadAsync("unit/queue/rows/0003/2.done");
        var failed = await bucket.ReadAsync("unit/queue/rows/0004/2.claim");
        var log = await bucket.ReadAsync("unit/jobs/0003/attempt-2/job.log");
        Assert.Multiple(() =>
        {
            Assert.That(lost, Is.EqualTo("done 0\n"), "a lease that ran out");
            Assert.That(beaten, Is.Null, "a lease still renewed");
            Assert.That(preempted, Is.EqualTo("done 0\n"), "preempted: at once");
            Assert.That(failed, Is.Null, "failed, not worth another attempt");
            Assert.That(log, Is.EqualTo("attempt 2\n"));
        });
    }

    [Test]
    public async Task Run_EachPut_HasATimeLimitThatGrowsWithTheFile_AndTheHeartbeatsIsOneInterval()
    {
        var node = nodes[0];
        var curls = Path.Combine(node.Home, "..", "curl-calls");
        RecordCurl(node, curls);
        await node.InstallAsync();
        await bucket.WriteQueueAsync(node, [new QueueRow(RunnerNode.Row, "mkdir -p output && head -c 3500000 /dev/urandom > output/noise.bin && sleep 2")]);

        await node.StartWorkAsync();
        await node.WaitPoweredOffAsync(TimeSpan.FromSeconds(30));

        var lines = File.ReadAllLines(curls);
        Assert.That(lines.Single(l => l.Contains("results.tar.gz", StringComparison.Ordinal)), Does.Contain("--max-time 303 "));
        Assert.That(lines.Where(l => l.Contains("heartbeat.json", StringComparison.Ordinal)), Is.Not.Empty.And.All.Contain("--max-time 1 "));
        Assert.That(await bucket.ReadAsync("unit/queue/rows/0003/1.done"), Is.EqualTo("done 0\n"));
    }

    // A curl that says how it was called, then does the call.
    private static void RecordCurl(RunnerNode node, string calls)
    {
        var bin = Path.Combine(node.Home, "..", "bin");
        Directory.CreateDirectory(bin);
        File.WriteAllText(Path.Combine(bin, "curl"), $"#!/bin/bash\necho \"$*\" >> {ShellQuote.Quote(calls)}\nexec /usr/bin/curl \"$@\"\n");
        File.SetUnixFileMode(Path.Combine(bin, "curl"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        node.WriteNodeEnv(new NodeEnvFile()
            .Set("AWSRUNNER_POWEROFF", "touch " + ShellQuote.Quote(node.PoweredOffMark))
            .Set("PATH", bin + ":" + Environment.GetEnvironmentVariable("PATH")));
    }
}
