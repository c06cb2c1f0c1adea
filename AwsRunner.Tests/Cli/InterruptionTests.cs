using System.Diagnostics;
using AwsRunner.Tests.Support;

namespace AwsRunner.Tests.Cli;

public sealed class InterruptionTests
{
    private LocalBatch batch = null!;

    [SetUp]
    public void SetUp()
    {
        batch = new LocalBatch();
        batch.Write("project/jobs.csv", "instance_type,command,n\nt3.micro,echo $n,1\nt3.micro,echo $n,2\nc5.large,echo $n,3\n");
        // The install waits for the test's word, so the Ctrl-C lands while it runs however slow the machine is.
        batch.Write("install.sh", $"until [ -e '{batch.Path("installs-may-finish")}' ]; do sleep 0.2; done\n");
    }

    [TearDown]
    public void TearDown() => batch.Dispose();

    [Test]
    public async Task CtrlC_WhileInstalling_StopsCleanlySaysHowToResumeAndTheRerunAdoptsEveryNode()
    {
        string[] command = ["dispatch", "local", "halted", "project/jobs.csv", "--cloud", "local", "--install", "install.sh", "--create", "--dispatch", "--heartbeat", "1s"];
        var nodes = batch.Path("home", ".local-cloud", "nodes", "halted");
        using var first = batch.Cli.Start(command);
        await Eventually.WaitAsync(
            () => Directory.Exists(nodes) ? Directory.GetDirectories(nodes).Count(n => File.Exists(Path.Combine(n, "home", "awsrunner", "install.pid"))) : 0,
            installing => installing == 3,
            TimeSpan.FromSeconds(60),
            "every node to start installing");
        var launched = InstanceIds(nodes);

        Process.Start("kill", ["-INT", first.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!.WaitForExit();
        // Longer than the 30 s the CLI itself gives its look at what exists, so a slow look shows in the output, not as a kill.
        var interrupted = await AwsRunnerCli.FinishAsync(first, TimeSpan.FromSeconds(90), command);

        Assert.That(interrupted.ExitCode, Is.EqualTo(130), interrupted.ToString());
        Assert.That(interrupted.Error, Does.Contain("interrupted; batch halted was left as it is"));
        Assert.That(interrupted.Error, Does.Contain("it has 3 live nodes now"));
        Assert.That(interrupted.Error, Does.Contain("resume (adopts what exists, launches only what is missing): awsrunner dispatch local halted project/jobs.csv"));
        Assert.That(interrupted.Error, Does.Contain("or remove it all: awsrunner down halted"));

        batch.Write("installs-may-finish", "");
        var resumed = await batch.RunAsync([.. command, "--wait"]);

        Assert.That(resumed.ExitCode, Is.Zero, resumed.ToString());
        foreach (var job in new[] { "0000", "0001", "0002" })
        {
            Assert.That(resumed.Output, Does.Contain($"  job {job}  adopted\n").And.Not.Contain($"  job {job}  launching").And.Not.Contain($"  job {job}  booting"),
                "a node the first run launched is adopted, not launched or booted again: " + resumed);
        }

        Assert.That(InstanceIds(nodes), Is.EqualTo(launched), "the re-run adopts the three nodes instead of launching twins");
        await batch.RunAsync("fetch", "halted", "out");
        Assert.That(Enumerable.Range(0, 3).Select(i => File.ReadAllText(batch.Path("out", $"{i:D4}", "job.log"))), Is.EqualTo(new[] { "1\n", "2\n", "3\n" }));
    }

    [Test]
    public async Task CtrlC_DuringWaitOnATerminal_SaysSoBelowTheBoardsLastFrame()
    {
        batch.Write("slow/jobs.csv", $"instance_type,command\nt3.micro,\"touch '{batch.Path("started")}'; sleep 60\"\n");
        using var process = batch.Cli.StartOnTerminal("dispatch", "local", "ctrlc", "slow/jobs.csv", "--cloud", "local", "--create", "--dispatch", "--wait");
        await Eventually.WaitAsync(() => File.Exists(batch.Path("started")), started => started, TimeSpan.FromSeconds(60), "the job to start");
        // A few redraws of the board while the job runs.
        await Task.Delay(TimeSpan.FromSeconds(1.5));

        await process.StandardInput.WriteAsync("\u0003");
        await process.StandardInput.FlushAsync();
        var run = await AwsRunnerCli.FinishAsync(process, TimeSpan.FromSeconds(60), "dispatch");

        const string Message = "or remove it all: awsrunner down ctrlc";
        Assert.That(run.ExitCode, Is.EqualTo(130), run.ToString());
        Assert.That(run.Output, Does.Contain("slowest: 0000 running"), "the live board was drawn: " + run);
        Assert.That(run.Output.LastIndexOf(Message, StringComparison.Ordinal), Is.GreaterThan(run.Output.LastIndexOf("slowest: 0000 running", StringComparison.Ordinal)),
            "the message comes after the board's last frame, which would draw over it otherwise: " + run);
        await batch.RunAsync("down", "ctrlc", "--yes");
    }

    private static List<string> InstanceIds(string nodes) =>
        Directory.GetDirectories(nodes).Order(StringComparer.Ordinal)
            .Select(n => Path.Combine(n, "instance.json"))
            .Where(File.Exists)
            .Select(File.ReadAllText)
            .ToList();
}
