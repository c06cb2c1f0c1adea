using System.Text.Json;
using AwsRunner.Core.Node;

namespace AwsRunner.Tests.Node;

/// <summary>The job's own environment on the node: the row's variables, secrets and the attempt, never the runner's.</summary>
public sealed class JobEnvironmentOnNodeTests
{
    private RunnerNode node = null!;

    [SetUp]
    public void SetUp() => node = new RunnerNode();

    [TearDown]
    public void TearDown() => node.Dispose();

    [Test]
    public async Task Run_VariablesNamedLikeTheRunnersOwn_ReachTheJobAndTheRunnerIsUntouched()
    {
        await InstallAsync();
        string[] names = ["base", "code", "self", "state", "rc", "file", "started", "heartbeat"];
        node.WriteJob(
            "mkdir -p output && for v in " + string.Join(' ', names) + "; do printf '%s=%s\\n' \"$v\" \"${!v}\"; done > output/seen.txt",
            names.Select(n => KeyValuePair.Create(n, "row-" + n)));

        await node.StartWorkAsync();
        await node.WaitPoweredOffAsync();

        Assert.That(node.RowState(), Is.EqualTo("done"));
        Assert.That(node.ResultEntries()["output/seen.txt"], Is.EqualTo(string.Concat(names.Select(n => $"{n}=row-{n}\n"))));
    }

    [Test]
    public async Task Run_Secret_ReachesTheJobOnlyAndIsDeletedWhenTheJobEnds()
    {
        await InstallAsync();
        const string value = "s3cr3t 'with' \"quotes\"\nand a line";
        node.WriteJob("mkdir -p output && printf '%s' \"$API_TOKEN\" > output/token.txt && sleep 1");
        node.WriteSecrets([KeyValuePair.Create("API_TOKEN", value)]);

        await node.StartWorkAsync();
        await node.WaitForRowStateAsync("running");
        var commandLines = node.LiveProcesses().Select(p => SafeRead($"/proc/{p}/cmdline")).ToList();
        await node.WaitPoweredOffAsync();

        Assert.That(node.ResultEntries()["output/token.txt"], Is.EqualTo(value));
        Assert.That(File.Exists(Path.Combine(node.Runner, NodeVariables.SecretsFile)), Is.False, "the secrets file outlived the job");
        Assert.That(commandLines, Has.None.Contains("s3cr3t"));
        foreach (var file in Directory.EnumerateFiles(node.Runner, "*", SearchOption.AllDirectories).Concat(Directory.EnumerateFiles(node.Bucket, "*", SearchOption.AllDirectories))
            .Where(f => !f.EndsWith(".tar.gz", StringComparison.Ordinal)))
        {
            Assert.That(File.ReadAllText(file), Does.Not.Contain("s3cr3t"), file);
        }
    }

    [Test]
    public async Task Run_Attempt_IsInTheJobsEnvironmentAndItsStatus()
    {
        await InstallAsync();
        // A row whose earlier attempt ran in an earlier run: this run's shard has attempt 2 only.
        node.WriteQueue([new QueueRow(RunnerNode.Row, "echo \"attempt $AWSRUNNER_ATTEMPT\"") { Attempts = [2] }]);

        await node.StartWorkAsync();
        await node.WaitPoweredOffAsync();

        var objects = node.Jobs(RunnerNode.Row, attempt: 2);
        Assert.That(File.ReadAllText(Path.Combine(objects, "job.log")), Is.EqualTo("attempt 2\n"));
        Assert.That(node.Done(attempt: 2), Is.EqualTo("done 0"));
        using var status = JsonDocument.Parse(File.ReadAllText(Path.Combine(objects, "status.json")));
        Assert.That(status.RootElement.GetProperty("attempt").GetInt32(), Is.EqualTo(2));
        Assert.That(status.RootElement.GetProperty("state").GetString(), Is.EqualTo("done"));
    }

    [Test]
    public async Task Run_WhileTheJobRuns_TheTailOfItsLogReachesTheBucketAtEachBeat()
    {
        await InstallAsync();
        var release = Path.Combine(node.Bucket, "release");
        node.WriteJob(
            $"echo first line; head -c 300 /dev/zero | tr '\\0' x; echo; while [ ! -e {ShellQuote.Quote(release)} ]; do sleep 0.1; done; echo last line",
            settings: env => env.Set("AWSRUNNER_LOG_TAIL_BYTES", "100"));

        await node.StartWorkAsync();
        var log = Path.Combine(node.JobObjects, "job.log");
        var tail = await Support.Eventually.WaitAsync(
            () => File.Exists(log) ? File.ReadAllText(log) : "",
            text => text.Length > 0,
            TimeSpan.FromSeconds(10),
            "the log's tail in the bucket while the job runs");
        File.WriteAllText(release, "");
        await node.WaitPoweredOffAsync();

        Assert.That(tail, Does.StartWith("awsrunner: the last 100 bytes of 312 so far\n").And.EndWith(new string('x', 99) + "\n"));
        Assert.That(node.ReadObject("job.log"), Does.StartWith("first line\n").And.EndWith("last line\n"));
    }

    private static string SafeRead(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (IOException)
        {
            return "";
        }
    }

    private async Task InstallAsync()
    {
        await node.RunnerAsync("start", "install");
        await node.WaitForStateAsync("ready");
    }
}
