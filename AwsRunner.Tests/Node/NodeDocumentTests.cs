using System.Text;
using System.Text.Json;
using AwsRunner.Core.Node;

namespace AwsRunner.Tests.Node;

/// <summary>
/// The documents the laptop reads from a node (heartbeat.json, status.json) parse whatever bytes the job or tar
/// produced: text is cut between characters, and what is not UTF-8 is escaped.
/// </summary>
public sealed class NodeDocumentTests
{
    private RunnerNode node = null!;

    [SetUp]
    public void SetUp() => node = new RunnerNode();

    [TearDown]
    public void TearDown() => node.Dispose();

    [Test]
    public async Task Run_ProgressBarOfBlocksLongerThan200Bytes_HeartbeatParsesWithTheWholeCharactersThatFit()
    {
        await InstallAsync();
        // 100 blocks of 3 bytes: the 200-byte cut falls inside the 67th.
        var release = Path.Combine(node.Bucket, "release");
        node.WriteJob($"printf '%.0s█' $(seq 100) > \"$AWSRUNNER_PROGRESS\"; while [ ! -e '{release}' ]; do sleep 0.1; done");

        await node.StartWorkAsync();
        var beat = await HeartbeatWithProgressAsync();
        File.WriteAllText(release, "");
        await node.WaitPoweredOffAsync();

        Assert.That(beat.RootElement.GetProperty("progress").GetString(), Is.EqualTo(new string('█', 66)));
        Assert.That(beat.RootElement.GetProperty("state").GetString(), Is.EqualTo("running"));
    }

    [Test]
    public async Task Run_ProgressWithBytesThatAreNotUtf8AndControlCharacters_HeartbeatParsesWithThemEscaped()
    {
        await InstallAsync();
        var release = Path.Combine(node.Bucket, "release");
        node.WriteJob($"printf 'caf\\351 \\033[32mok\\033[0m \"q\" \\\\ é\\r' > \"$AWSRUNNER_PROGRESS\"; while [ ! -e '{release}' ]; do sleep 0.1; done");

        await node.StartWorkAsync();
        var beat = await HeartbeatWithProgressAsync();
        File.WriteAllText(release, "");
        await node.WaitPoweredOffAsync();

        Assert.That(beat.RootElement.GetProperty("progress").GetString(), Is.EqualTo("caf\u00e9 \u001b[32mok\u001b[0m \"q\" \\ é"));
    }

    [Test]
    public async Task Run_TarsErrorsOverUtf8NamesCutAt2000Bytes_StatusParsesAndCarriesTheWholeCharactersThatFit()
    {
        node.WithoutRootsFileAccess = true;
        // As on Ubuntu's images: tar then writes names in UTF-8, not as octal escapes.
        node.WriteNodeEnv(new NodeEnvFile().Set("AWSRUNNER_POWEROFF", "touch " + ShellQuote.Quote(node.PoweredOffMark)).Export("LC_ALL", "C.UTF-8"));
        await InstallAsync();
        // Eight unreadable files whose names are "x" and 125 "é": tar's message for each is 298 bytes, so the
        // 2000-byte cut of status.json's results_error falls between the two bytes of an "é" in the seventh.
        var name = "x" + new string('é', 125);
        node.WriteJob($"mkdir -p output && for i in 1 2 3 4 5 6 7 8; do mkdir output/$i && echo no > output/$i/{name} && chmod 000 output/$i/{name}; done");

        await node.StartWorkAsync();
        await node.WaitPoweredOffAsync(TimeSpan.FromSeconds(30));

        var text = File.ReadAllBytes(Path.Combine(node.JobObjects, "status.json"));
        using var status = JsonDocument.Parse(text);
        var error = status.RootElement.GetProperty("results_error").GetString()!;
        Assert.That(node.RowState(), Is.EqualTo("failed"));
        Assert.That(error, Does.StartWith($"tar: output/").And.Contain($"/{name}: Cannot open: Permission denied\n"));
        Assert.That(Encoding.UTF8.GetByteCount(error), Is.EqualTo(1999), "cut at 2000 bytes, less the half of the character that did not fit");
    }

    private async Task<JsonDocument> HeartbeatWithProgressAsync()
    {
        var heartbeat = node.QueueObject(RunnerNode.Row, 1, "heartbeat.json");
        var text = await Support.Eventually.WaitAsync(
            () => File.Exists(heartbeat) ? File.ReadAllBytes(heartbeat) : [],
            bytes => bytes.Length > 0 && Encoding.UTF8.GetString(bytes).Contains("\"running\"", StringComparison.Ordinal)
                && !Encoding.UTF8.GetString(bytes).Contains("\"progress\":\"\"", StringComparison.Ordinal),
            TimeSpan.FromSeconds(20),
            "a running heartbeat with the job's progress");
        return JsonDocument.Parse(text);
    }

    private async Task InstallAsync()
    {
        await node.RunnerAsync("start", "install");
        await node.WaitForStateAsync("ready");
    }
}
