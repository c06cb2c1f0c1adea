using System.Text.Json;
using AwsRunner.Core.Node;

namespace AwsRunner.Tests.Node;

public sealed class PowerOffTests
{
    private RunnerNode node = null!;

    [SetUp]
    public void SetUp() => node = new RunnerNode();

    [TearDown]
    public void TearDown() => node.Dispose();

    [Test]
    public async Task Run_PowerOffRefused_IsSaidInTheLastHeartbeatWithTheCommandsError()
    {
        // A custom image without passwordless sudo.
        node.WriteNodeEnv(new NodeEnvFile().Set("AWSRUNNER_POWEROFF", "echo 'sudo: a password is required' >&2; exit 1"));
        await node.RunnerAsync("start", "install");
        await node.WaitForStateAsync("ready");
        node.WriteJob("echo done");

        await node.RunnerAsync("start", "run");
        var heartbeat = Path.Combine(node.JobObjects, "heartbeat.json");
        var text = await Support.Eventually.WaitAsync(
            () => File.Exists(heartbeat) ? File.ReadAllText(heartbeat) : "",
            t => t.Contains("poweroff_error", StringComparison.Ordinal),
            TimeSpan.FromSeconds(20),
            "a heartbeat that says the power-off failed");

        using var document = JsonDocument.Parse(text);
        Assert.That(document.RootElement.GetProperty("state").GetString(), Is.EqualTo("done"));
        Assert.That(document.RootElement.GetProperty("poweroff_error").GetString(), Is.EqualTo("sudo: a password is required"));
    }
}
