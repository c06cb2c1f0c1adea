using System.Text;
using AwsRunner.Core.Node;
using AwsRunner.Sim.Metadata;
using AwsRunner.Sim.Spot;

namespace AwsRunner.Tests.Node;

/// <summary>
/// A <c>--secret</c> lives on the node for its job only: after every way out of the job (done, failed, the dead man's
/// switch, a spot interruption, the power-off, a start refused) its value is in no file of the node.
/// </summary>
public sealed class NodeSecretTests
{
    private const string Value = "tok-9f3e1c-not-to-be-found";
    private const string InstanceId = "i-0123456789abcdef0";
    private RunnerNode node = null!;

    [SetUp]
    public void SetUp() => node = new RunnerNode();

    [TearDown]
    public void TearDown() => node.Dispose();

    [TestCase("exit 0", "done")]
    [TestCase("exit 3", "failed")]
    public async Task Run_JobEnds_LeavesTheSecretInNoFileOfTheNode(string end, string state)
    {
        await InstallAsync();
        WriteJobWithSecret(end);

        await node.StartWorkAsync();
        await node.WaitPoweredOffAsync();

        Assert.That(node.RowState(), Is.EqualTo(state));
        AssertSecretGone();
    }

    [Test]
    public async Task Work_ManyRows_EachRowsJobHasTheSecret_AndItIsGoneOnceTheLastEnded()
    {
        await InstallAsync();
        node.WriteQueue(
            Enumerable.Range(0, 5).Select(i => new QueueRow(i, "[ -n \"$API_TOKEN\" ] && echo has the token")).ToList(),
            env => env.Set("AWSRUNNER_SLOTS", "2"));
        node.WriteSecrets([KeyValuePair.Create("API_TOKEN", Value)]);

        await node.StartWorkAsync();
        await node.WaitPoweredOffAsync();

        Assert.That(Enumerable.Range(0, 5).Select(i => File.ReadAllText(Path.Combine(node.Jobs(i), "job.log"))), Is.All.EqualTo("has the token\n"));
        AssertSecretGone();
    }

    [Test]
    public async Task Deadline_WhileTheJobRuns_LeavesTheSecretInNoFileOfTheNode()
    {
        await InstallAsync();
        WriteJobWithSecret("sleep 300");
        await node.StartWorkAsync();
        await JobSawTheSecretAsync();

        await node.ArmAsync(TimeSpan.FromSeconds(1));
        await node.WaitPoweredOffAsync(TimeSpan.FromSeconds(30));

        Assert.That(node.RowState(), Is.EqualTo("deadline"));
        AssertSecretGone();
    }

    [Test]
    public async Task PowerOff_WhileTheJobRuns_LeavesTheSecretInNoFileOfTheNode()
    {
        await InstallAsync();
        WriteJobWithSecret("sleep 300");
        await node.StartWorkAsync();
        await JobSawTheSecretAsync();

        await node.RunnerAsync("poweroff");

        Assert.That(node.PoweredOff, Is.True);
        AssertSecretGone();
    }

    [Test]
    public async Task StartWork_Refused_LeavesTheSecretInNoFileOfTheNode()
    {
        WriteJobWithSecret("exit 0");

        var refused = await node.StartWorkAsync();

        Assert.That(refused.ExitCode, Is.EqualTo(3), refused.Error);
        AssertSecretGone();
    }

    [Test]
    public async Task Run_SpotInterruption_LeavesTheSecretInNoFileOfTheNode()
    {
        await using var metadata = await MetadataService.StartAsync(TimeProvider.System, CancellationToken.None);
        metadata.Serve(new InstanceMetadata(InstanceId, "t3.micro", "ami-12345678"));
        node.WriteNodeEnv(new NodeEnvFile()
            .Set("AWSRUNNER_POWEROFF", "touch " + ShellQuote.Quote(node.PoweredOffMark))
            .Set("AWSRUNNER_METADATA_URL", metadata.BaseUrl(InstanceId)));
        await InstallAsync();
        WriteJobWithSecret("sleep 300", env => env.Set("AWSRUNNER_SPOT", "1").Set("AWSRUNNER_SPOT_POLL_SECONDS", "1").Set("AWSRUNNER_STOP_GRACE_SECONDS", "2"));
        await node.StartWorkAsync();
        await JobSawTheSecretAsync();

        metadata.Serve(new InstanceMetadata(InstanceId, "t3.micro", "ami-12345678") { Interruption = Interruption.NoticedAt(DateTimeOffset.UtcNow, TimeSpan.FromMinutes(1)) });
        await node.WaitPoweredOffAsync(TimeSpan.FromSeconds(30));

        Assert.That(node.RowState(), Is.EqualTo("preempted"));
        AssertSecretGone();
    }

    private void WriteJobWithSecret(string then, Action<NodeEnvFile>? settings = null)
    {
        // The job says it has the secret without printing it.
        node.WriteJob($"[ -n \"$API_TOKEN\" ] && echo has the token; {then}", settings: settings);
        node.WriteSecrets([KeyValuePair.Create("API_TOKEN", Value)]);
    }

    private Task JobSawTheSecretAsync() => node.WaitForLogAsync("has the token");

    // The node's whole home, the runner's folder and the code folder, and what it uploaded.
    private void AssertSecretGone()
    {
        var needle = Encoding.UTF8.GetBytes(Value);
        var holding = Directory.EnumerateFiles(node.Home, "*", SearchOption.AllDirectories)
            .Concat(Directory.EnumerateFiles(node.Bucket, "*", SearchOption.AllDirectories))
            .Where(f => File.ReadAllBytes(f).AsSpan().IndexOf(needle) >= 0)
            .ToList();
        Assert.That(holding, Is.Empty, "files that hold the secret's value");
    }

    private async Task InstallAsync()
    {
        await node.RunnerAsync("start", "install");
        await node.WaitForStateAsync("ready");
    }
}
