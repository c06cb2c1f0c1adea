namespace AwsRunner.Tests.Node;

/// <summary>Two dispatchers reaching one node at once: each step of the runner starts once, whoever asks.</summary>
public sealed class StartLockTests
{
    private RunnerNode node = null!;

    [SetUp]
    public void SetUp() => node = new RunnerNode();

    [TearDown]
    public void TearDown() => node.Dispose();

    [Test]
    public async Task StartWork_EightTimesAtOnce_RunsTheRowOnce()
    {
        await node.InstallAsync();
        var runs = Path.Combine(node.Home, "runs");
        node.WriteJob($"echo run >> {runs}");

        var starts = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => node.StartWorkAsync()));
        await node.WaitPoweredOffAsync();

        Assert.That(starts.Select(s => s.ExitCode), Is.All.Zero, string.Join("\n", starts.Select(s => s.Error)));
        Assert.That(File.ReadAllLines(runs), Has.Length.EqualTo(1));
        Assert.That(File.ReadAllLines(Path.Combine(node.Runner, "runner.log")).Count(l => l.EndsWith(" state running", StringComparison.Ordinal)), Is.EqualTo(1),
            "one work step");
    }

    [Test]
    public async Task StartInstall_EightTimesAtOnce_RunsInstallOnce()
    {
        var installs = Path.Combine(node.Home, "installs");
        node.WriteInstallScript($"echo install >> {installs}; sleep 0.5\n");

        var starts = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => node.RunnerAsync("start", "install")));
        await node.WaitForStateAsync("ready");

        Assert.That(starts.Select(s => s.ExitCode), Is.All.Zero, string.Join("\n", starts.Select(s => s.Error)));
        Assert.That(File.ReadAllLines(installs), Has.Length.EqualTo(1));
    }
}
