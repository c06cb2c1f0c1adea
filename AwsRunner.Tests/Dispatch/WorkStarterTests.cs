using AwsRunner.Core.Cloud;
using AwsRunner.Core.Cloud.Local;
using AwsRunner.Core.Dispatch;
using AwsRunner.Core.Node;
using AwsRunner.Tests.Node;
using AwsRunner.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace AwsRunner.Tests.Dispatch;

/// <summary>The dispatch's start command, run as the node's shell would run it, on a real runner; and what it hands over.</summary>
public sealed class WorkStarterTests
{
    private RunnerNode node = null!;

    [SetUp]
    public void SetUp() => node = new RunnerNode();

    [TearDown]
    public void TearDown() => node.Dispose();

    [Test]
    public async Task StartCommand_PlacesEachFileOfTheTarOwnerOnly_AndTheNodeWorksThroughItsQueue()
    {
        await node.InstallAsync();
        var files = HandOver("echo hello; echo \"$TOKEN\" > ../token");

        var started = await StartAsync(files, secrets: [KeyValuePair.Create("TOKEN", "s3cret")]);
        await node.WaitPoweredOffAsync();

        Assert.That(started.ExitCode, Is.Zero, started.Error);
        Assert.That(node.ReadObject("job.log"), Is.EqualTo("hello\n"));
        Assert.That(File.ReadAllText(Path.Combine(node.Home, "token")), Is.EqualTo("s3cret\n"), "the secret reached the row");
        foreach (var file in new[] { NodeRunnerScript.WorkEnvFile, NodeRunnerScript.QueueEnvFile })
        {
            Assert.That(File.GetUnixFileMode(Path.Combine(node.Runner, file)), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite), file);
        }

        Assert.That(Path.Combine(node.Runner, NodeVariables.SecretsFile), Does.Not.Exist, "the secrets go when the work ends");
        Assert.That(Directory.GetDirectories(node.Runner).Select(Path.GetFileName), Has.None.StartWith("in."), "no temporary folder is left behind");
    }

    [Test]
    public async Task StartCommand_AgainOnANodeAlreadyWorking_KeepsItsFilesAndRunsNoRowTwice()
    {
        await node.InstallAsync();
        var release = Path.Combine(node.Home, "release");
        var first = HandOver($"echo once >> ../ran.txt; while [ ! -e {release} ]; do sleep 0.1; done");
        var started = await StartAsync(first);
        Assert.That(started.ExitCode, Is.Zero, started.Error);
        await node.WaitForRowStateAsync("running");
        var workEnv = File.ReadAllText(Path.Combine(node.Runner, NodeRunnerScript.WorkEnvFile));

        var again = await StartAsync(HandOver("echo twice >> ../ran.txt", slots: "2"));
        File.WriteAllText(release, "");
        await node.WaitPoweredOffAsync(TimeSpan.FromSeconds(30));

        Assert.That(again.ExitCode, Is.Zero, again.Error);
        Assert.That(File.ReadAllText(Path.Combine(node.Home, "ran.txt")), Is.EqualTo("once\n"));
        Assert.That(File.ReadAllText(Path.Combine(node.Runner, NodeRunnerScript.WorkEnvFile)), Is.EqualTo(workEnv), "the working node kept its work.env");
        Assert.That(node.Done(), Is.EqualTo("done 0"));
    }

    [Test]
    public async Task Dispatch_OfABatchCreatedWith72Hours_SignsItsQueueForTheNodesLifeNotTheDefault()
    {
        using var folder = new TempFolder();
        folder.Write("code/jobs.csv", "instance_type,command\nt3.micro,echo one\n");
        var local = LocalCloudConnection.Open(folder.Combine("home"), 1, TimeProvider.System, NullLoggerFactory.Instance);
        var store = new CountingResultStore(local.Results);
        await using var connection = new CloudConnection(local.Kind, local.Cloud, local.Shell, store);
        var runner = new BatchRunner(connection, folder.Combine("home"));
        DispatchOptions Options(bool create, double? maxHours) => new()
        {
            ImageId = "local",
            Name = "longlived",
            JobFile = folder.Combine("code", "jobs.csv"),
            Create = create,
            Dispatch = !create,
            MaxHours = maxHours,
            PollInterval = TimeSpan.FromMilliseconds(200),
        };

        try
        {
            await runner.DispatchResultAsync(Options(create: true, maxHours: 72));
            await runner.DispatchResultAsync(Options(create: false, maxHours: null));
        }
        finally
        {
            await runner.DownAsync("longlived");
        }

        Assert.That(store.SignerValidity.Distinct(), Is.EqualTo(new[] { TimeSpan.FromHours(72) + WorkStarter.UrlMargin }),
            "the queue published at create and signed anew at dispatch: the batch's 72 hours and the margin, not this dispatch's default");
    }

    // The node's work.env and queue.env as the dispatch hands them over, for a queue of one row: written by the test
    // node's queue, then the runner's folder is put back as it was, so that only the start command places them.
    private List<KeyValuePair<string, string>> HandOver(string command, string slots = "1")
    {
        string[] names = [NodeRunnerScript.WorkEnvFile, NodeRunnerScript.QueueEnvFile];
        var before = names.ToDictionary(f => f, f => File.Exists(Path.Combine(node.Runner, f)) ? File.ReadAllText(Path.Combine(node.Runner, f)) : null);
        node.WriteJob(command, settings: env => env.Set("AWSRUNNER_SLOTS", slots));
        var files = names.Select(f => KeyValuePair.Create(f, File.ReadAllText(Path.Combine(node.Runner, f)))).ToList();
        foreach (var (name, text) in before)
        {
            if (text is null)
            {
                File.Delete(Path.Combine(node.Runner, name));
            }
            else
            {
                File.WriteAllText(Path.Combine(node.Runner, name), text);
            }
        }

        return files;
    }

    private async Task<ShellResult> StartAsync(IReadOnlyList<KeyValuePair<string, string>> files, IReadOnlyList<KeyValuePair<string, string>>? secrets = null)
    {
        using var tar = NodeFilesTar.Write(
        [
            .. files,
            .. secrets is null ? [] : new[] { KeyValuePair.Create(NodeVariables.SecretsFile, NodeVariables.Format(secrets)) },
        ]);
        return await node.ShellAsync(WorkStarter.StartCommand, tar);
    }
}
