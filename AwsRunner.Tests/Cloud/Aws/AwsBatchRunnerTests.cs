using System.Formats.Tar;
using System.IO.Compression;
using System.Text;
using AwsRunner.Core.Cloud.Aws;
using AwsRunner.Core.Dispatch;
using AwsRunner.Core.Ledger;
using AwsRunner.Tests.Support;
using NUnit.Framework;

namespace AwsRunner.Tests.Cloud.Aws;

/// <summary>The same orchestration as on every cloud, over EC2 and S3 on moto (its instances run nothing, so no node answers).</summary>
[TestFixture]
// They share one moto_server, reset between tests.
[NonParallelizable]
public sealed class AwsBatchRunnerTests
{
    private const string Status = """{"index":1,"exit_code":0,"started":"2026-01-01T00:00:00Z","finished":"2026-01-01T00:01:00Z"}""";

    [Test]
    public async Task Create_ChecksImageAndBucketBeforeLaunching_OneCallPerType_ThenTerminatesNodesItCannotReach()
    {
        await using var bed = await AwsTestBed.OnMotoAsync();
        var runner = new BatchRunner(bed.Connection, bed.Home);

        var result = await runner.DispatchResultAsync(Options(bed, "e2e1"));

        var actions = bed.Recorder.Requests.Select(r => r.Action).ToList();
        var manifest = (await BatchLedger.RequireAsync(bed.Results, "e2e1", "e2e1", CancellationToken.None)).Document;
        var instances = await bed.Cloud.DescribeAsync("e2e1", CancellationToken.None);
        Assert.Multiple(() =>
        {
            Assert.That(actions.IndexOf("DescribeImages"), Is.LessThan(actions.FindIndex(a => a.StartsWith("PUT /e2e1", StringComparison.Ordinal))));
            Assert.That(actions.FindIndex(a => a.StartsWith("PUT /e2e1", StringComparison.Ordinal)), Is.LessThan(actions.IndexOf("CreateKeyPair")));
            Assert.That(actions.IndexOf("CreateSecurityGroup"), Is.LessThan(actions.IndexOf("RunInstances")));
            Assert.That(actions.Count(a => a == "RunInstances"), Is.EqualTo(2));
            Assert.That(actions.Count(a => a == "DescribeImages"), Is.EqualTo(1), "the image checked is the image launched");
            Assert.That(result.Nodes.Select(n => n.State), Is.All.EqualTo(JobState.Unreachable));
            Assert.That(manifest.Seats.Select(s => s.Node), Is.EquivalentTo(instances.Select(i => i.InstanceId)));
            Assert.That(manifest.Nodes.Select(n => n.Install), Is.All.EqualTo("unreachable"));
            Assert.That(instances.Select(i => i.State), Is.All.EqualTo(Core.Cloud.InstanceState.Terminated));
        });
    }

    [Test]
    public async Task Create_AnInstanceTypeEc2DoesNotKnow_IsRefusedWithASuggestionBeforeAnythingIsCreated()
    {
        await using var bed = await AwsTestBed.OnMotoAsync();
        var options = Options(bed, "e2e9");
        File.WriteAllText(options.JobFile, "instance_type,command\nt3.micro,echo a\nt3.micro,echo b\nt3.mirco,echo c\nc5.large,echo d\n");

        var error = Assert.ThrowsAsync<Core.InvalidInputException>(() => new BatchRunner(bed.Connection, bed.Home).DispatchAsync(options));

        var actions = bed.Recorder.Requests.Select(r => r.Action).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(error!.Message, Is.EqualTo(
                $"{options.JobFile}:4: column 1 (instance_type): \"t3.mirco\" is not an instance type EC2 offers in us-east-1; did you mean t3.micro?"));
            Assert.That(actions.Count(a => a == "DescribeInstanceTypes"), Is.EqualTo(1), "one call for the batch's types, not one a row");
            Assert.That(bed.Recorder.Calls("DescribeInstanceTypes").Single().Form.Where(p => p.Key.StartsWith("InstanceType.", StringComparison.Ordinal)).Select(p => p.Value),
                Is.EquivalentTo(new[] { "t3.micro", "t3.mirco", "c5.large" }));
            Assert.That(actions, Has.None.StartsWith("PUT").And.None.EqualTo("RunInstances").And.None.EqualTo("CreateKeyPair").And.None.EqualTo("CreateSecurityGroup"));
        });
    }

    [Test]
    public async Task Create_Twice_AdoptsTheInstancesOfTheFirst()
    {
        await using var bed = await AwsTestBed.OnMotoAsync();
        var runner = new BatchRunner(bed.Connection, bed.Home);
        var first = await runner.DispatchResultAsync(Options(bed, "e2e2", keepFailed: true));
        bed.Recorder.Clear();

        var second = await runner.DispatchResultAsync(Options(bed, "e2e2", keepFailed: true));

        Assert.Multiple(() =>
        {
            Assert.That(bed.Recorder.Calls("RunInstances"), Is.Empty);
            Assert.That(second.Nodes.Select(n => n.InstanceId), Is.EqualTo(first.Nodes.Select(n => n.InstanceId)));
        });
    }

    [Test]
    public async Task Status_WithoutName_FindsTheBatchFromItsInstanceTags()
    {
        await using var bed = await AwsTestBed.OnMotoAsync();
        var runner = new BatchRunner(bed.Connection, bed.Home);
        await runner.DispatchResultAsync(Options(bed, "e2e3", keepFailed: true));
        var elsewhere = Path.Combine(bed.Home, "another-machine");

        var batches = await new BatchRunner(bed.Connection, elsewhere).ListAsync();

        Assert.That(batches.Select(b => (b.Name, b.LiveInstances, b.Jobs)), Is.EqualTo(new[] { ("e2e3", 3, (int?)3) }));
    }

    [Test]
    public async Task Fetch_DownloadsFinishedJobs_AndSkipsThemOnTheNextFetch()
    {
        await using var bed = await AwsTestBed.OnMotoAsync();
        var runner = new BatchRunner(bed.Connection, bed.Home);
        await runner.DispatchResultAsync(Options(bed, "e2e4", keepFailed: true));
        // An archive from a node that packed only the results.
        await PutFinishedJobAsync(bed, "e2e4", "done\n");
        var output = Path.Combine(bed.Home, "output");

        var first = await runner.FetchAsync("e2e4", output);
        var second = await runner.FetchAsync("e2e4", output);

        Assert.Multiple(() =>
        {
            Assert.That((first.Downloaded, first.Skipped), Is.EqualTo((3, 0)));
            Assert.That((second.Downloaded, second.Skipped), Is.EqualTo((0, 3)));
            Assert.That(File.ReadAllText(Path.Combine(output, "0001", "job.log")), Is.EqualTo("done\n"));
            Assert.That(File.ReadAllText(Path.Combine(output, "0001", "output", "answer.txt")), Is.EqualTo("42"));
            Assert.That(first.Succeeded.Select(j => j.Index), Is.EqualTo(new[] { 1 }));
        });
    }

    [Test]
    public async Task Fetch_StatusThenTheArchiveCarryingTheLog_TwoDownloads_AndNothingOnTheNextFetch()
    {
        await using var bed = await AwsTestBed.OnMotoAsync();
        var runner = new BatchRunner(bed.Connection, bed.Home);
        await runner.DispatchResultAsync(Options(bed, "e2e6", keepFailed: true));
        await PutFinishedJobAsync(bed, "e2e6", "done\n", ("job.log", "done\n"), ("status.json", Status));
        var output = Path.Combine(bed.Home, "output");

        bed.Recorder.Clear();
        var first = await runner.FetchAsync("e2e6", output);
        var firstReads = ObjectReads(bed, "e2e6");
        bed.Recorder.Clear();
        var second = await runner.FetchAsync("e2e6", output);

        Assert.Multiple(() =>
        {
            Assert.That((first.Downloaded, first.Skipped), Is.EqualTo((2, 1)));
            Assert.That((first.ArchivesDownloaded, first.DownloadedJobs.Single().ObjectsDownloaded), Is.EqualTo((1, 2)),
                "status.json, which the archive is checked against, then the archive with the log in it");
            Assert.That(second.AlreadyHere.Select(j => j.Index), Is.EqualTo(new[] { 1 }));
            Assert.That(firstReads, Has.Count.EqualTo(3).And.Some.Contains("ledger.json").And.Some.Contains("status.json").And.Some.Contains("results.tar.gz"));
            Assert.That((second.Downloaded, second.Skipped), Is.EqualTo((0, 3)));
            Assert.That(ObjectReads(bed, "e2e6"), Has.Count.EqualTo(1).And.All.Contains("ledger.json"), "a fetch with nothing new reads the ledger once, and nothing else");
            Assert.That(File.ReadAllText(Path.Combine(output, "0001", "job.log")), Is.EqualTo("done\n"));
            Assert.That(File.ReadAllText(Path.Combine(output, "0001", "status.json")), Is.EqualTo(Status));
            Assert.That(second.Succeeded.Select(j => j.Index), Is.EqualTo(new[] { 1 }));
        });
    }

    [Test]
    public async Task Fetch_LogGrewAfterPacking_DownloadsTheLogToo()
    {
        await using var bed = await AwsTestBed.OnMotoAsync();
        var runner = new BatchRunner(bed.Connection, bed.Home);
        await runner.DispatchResultAsync(Options(bed, "e2e7", keepFailed: true));
        await PutFinishedJobAsync(bed, "e2e7", "done\ntar: output/x: socket ignored\n", ("job.log", "done\n"), ("status.json", Status));
        var output = Path.Combine(bed.Home, "output");

        var fetched = await runner.FetchAsync("e2e7", output);

        Assert.Multiple(() =>
        {
            Assert.That((fetched.Downloaded, fetched.Skipped), Is.EqualTo((3, 0)));
            Assert.That(File.ReadAllText(Path.Combine(output, "0001", "job.log")), Is.EqualTo("done\ntar: output/x: socket ignored\n"));
        });
    }

    [Test]
    public async Task Down_TerminatesRemovesAccessAndDeletesTheResults()
    {
        await using var bed = await AwsTestBed.OnMotoAsync();
        var runner = new BatchRunner(bed.Connection, bed.Home);
        await runner.DispatchResultAsync(Options(bed, "e2e5", keepFailed: true));

        var down = await runner.DownAsync("e2e5", deleteResults: true);

        Assert.Multiple(async () =>
        {
            Assert.That(down.Terminated, Is.EqualTo(3));
            Assert.That((await bed.Cloud.DescribeAsync("e2e5", CancellationToken.None)).Select(n => n.State),
                Is.All.EqualTo(Core.Cloud.InstanceState.Terminated));
            Assert.That(await bed.GroupsAsync("e2e5"), Is.Empty);
            Assert.That(await bed.Inspect.DescribeKeyPairsAsync("e2e5", CancellationToken.None), Is.Empty);
            Assert.That(await bed.Results.BucketExistsAsync("e2e5", CancellationToken.None), Is.False);
            Assert.That(File.Exists(BatchKeyPair.PrivateKeyPath(bed.Home, "e2e5")), Is.False);
        });
    }

    private static DispatchOptions Options(AwsTestBed bed, string name, bool keepFailed = false)
    {
        var folder = Path.Combine(bed.Home, "code-" + name);
        Directory.CreateDirectory(folder);
        var jobs = Path.Combine(folder, "jobs.csv");
        File.WriteAllText(jobs, "instance_type,command\nt3.micro,echo a\nc5.large,echo b\nt3.micro,echo c\n");
        return new DispatchOptions
        {
            ImageId = AwsTestBed.Image,
            Name = name,
            JobFile = jobs,
            Create = true,
            PollInterval = TimeSpan.FromMilliseconds(20),
            BootTimeout = TimeSpan.FromSeconds(20),
            InstallTimeout = TimeSpan.FromSeconds(5),
            KeepFailed = keepFailed,
        };
    }

    /// <summary>A finished job's objects, as a node uploads them; its archive holds <paramref name="archived"/> and a result.</summary>
    private static async Task PutFinishedJobAsync(AwsTestBed bed, string batch, string log, params (string Name, string Content)[] archived)
    {
        await bed.Results.PutAsync(batch, $"{batch}/jobs/0001/results.tar.gz", await ResultsArchiveAsync([.. archived, ("output/answer.txt", "42")]), CancellationToken.None);
        await bed.Results.PutAsync(batch, $"{batch}/jobs/0001/job.log", Encoding.UTF8.GetBytes(log), CancellationToken.None);
        await bed.Results.PutAsync(batch, $"{batch}/jobs/0001/status.json", Encoding.UTF8.GetBytes(Status), CancellationToken.None);
    }

    /// <summary>What the fetch read object by object (a listing is a GET on the bucket, <c>GET /bucket/?list-type=2</c>).</summary>
    private static List<string> ObjectReads(AwsTestBed bed, string batch) =>
        bed.Recorder.Requests.Select(r => r.Action)
            .Where(a => a.StartsWith($"GET /{batch}/", StringComparison.Ordinal) && !a.StartsWith($"GET /{batch}/?", StringComparison.Ordinal))
            .ToList();

    private static async Task<byte[]> ResultsArchiveAsync(params (string Name, string Content)[] files)
    {
        using var buffer = new MemoryStream();
        await using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true))
        {
            await using var tar = new TarWriter(gzip);
            foreach (var (name, content) in files)
            {
                await tar.WriteEntryAsync(new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(Encoding.UTF8.GetBytes(content)) });
            }
        }

        return buffer.ToArray();
    }
}
