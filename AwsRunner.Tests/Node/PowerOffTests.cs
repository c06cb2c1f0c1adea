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
    public async Task PowerOff_WithTwoRowsRunning_EachGoesUpPreemptedWithItsLog_AndTheNodePowersOffOnce()
    {
        await node.InstallAsync();
        node.WriteQueue([new QueueRow(1, "echo working on 1; sleep 300"), new QueueRow(2, "echo working on 2; sleep 300"), new QueueRow(3, "true")],
            env => env.Set("AWSRUNNER_SLOTS", "2"));
        await node.StartWorkAsync();
        await node.WaitForLogAsync("working on 1", 1);
        await node.WaitForLogAsync("working on 2", 2);

        var off = await node.RunnerAsync("poweroff");

        Assert.That(off.ExitCode, Is.Zero, off.Error);
        Assert.Multiple(() =>
        {
            foreach (var row in new[] { 1, 2 })
            {
                Assert.That(node.Done(row), Is.EqualTo("preempted -"), $"row {row}: another node takes its next attempt at once");
                Assert.That(File.ReadAllText(Path.Combine(node.Jobs(row), "job.log")), Does.StartWith($"working on {row}\n").And.Contain("the node's power-off"));
            }

            Assert.That(File.Exists(node.QueueObject(3, 1, "claim")), Is.False);
            Assert.That(node.State, Is.EqualTo("preempted"));
            Assert.That(File.ReadAllLines(Path.Combine(node.Runner, "runner.log")).Count(l => l.EndsWith(" power-off", StringComparison.Ordinal)), Is.EqualTo(1));
        });
    }

    [Test]
    public async Task Run_PowerOffRefused_IsSaidInTheLastHeartbeatWithTheCommandsError()
    {
        // A custom image without passwordless sudo.
        node.WriteNodeEnv(new NodeEnvFile().Set("AWSRUNNER_POWEROFF", "echo 'sudo: a password is required' >&2; exit 1"));
        await node.InstallAsync();
        node.WriteJob("echo done");

        await node.StartWorkAsync();
        var heartbeat = node.QueueObject(RunnerNode.Row, 1, "heartbeat.json");
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
