using AwsRunner.Core.Cloud.Local;
using AwsRunner.Tests.Support;

namespace AwsRunner.Tests.Cli.Commands;

/// <summary>
/// Three batches on the local cloud, made through the real command once for the command tests: one whose job runs
/// (and keeps writing to its log until released), one created but not dispatched, and one already taken down.
/// </summary>
[SetUpFixture]
public sealed class LocalBatches
{
    public const string Running = "cli-running";
    public const string Ready = "cli-ready";
    public const string Gone = "cli-gone";
    public const string Finished = "cli-finished";
    public const string Followed = "cli-followed";

    private static string? home;

    public static string Home => home ?? throw new InvalidOperationException("the local batches were not set up");

    internal static AwsRunnerCli Cli => new(Home, Home);

    public static string NodeHome(string batch) => LocalPaths.NodeHome(new LocalPaths(Home).Node(batch, 0));

    public static string JobLog => Path.Combine(NodeHome(Running), "awsrunner", "rows", "0000", "job.log");

    /// <summary>The followed batch's job ends, exit code 5, once this file exists.</summary>
    public static string FollowedRelease => Path.Combine(NodeHome(Followed), "code", "release");

    [OneTimeSetUp]
    public async Task CreateBatches()
    {
        home = Directory.CreateTempSubdirectory("arc").FullName;
        var code = Path.Combine(home, "code");
        Directory.CreateDirectory(code);
        var jobs = Path.Combine(code, "jobs.csv");
        await File.WriteAllTextAsync(jobs,
            "instance_type,command\nt3.micro,\"echo \"\"job says $AWSRUNNER_INDEX\"\"; i=0; while [ ! -e release ]; do i=$((i+1)); echo \"\"tick $i\"\"; sleep 0.2; done\"\n");
        var install = Path.Combine(home, "install.sh");
        await File.WriteAllTextAsync(install, "echo installed fine\n");

        await Succeed("dispatch", "local", Running, jobs, "--cloud", "local", "--create", "--dispatch", "--install", install);
        await Succeed("dispatch", "local", Ready, jobs, "--cloud", "local", "--create", "--install", install);
        await Succeed("dispatch", "local", Gone, jobs, "--cloud", "local", "--create", "--install", install);
        await Succeed("down", Gone);
        // A node lost before its install ended leaves no install log either.
        File.Delete(Path.Combine(new LocalPaths(Home).Buckets, Gone, Gone, "jobs", "0000", "install.log"));
        var finished = Path.Combine(code, "finished.csv");
        await File.WriteAllTextAsync(finished, "instance_type,command\nt3.micro,\"echo first; echo \"\"last of $AWSRUNNER_INDEX\"\"\"\n");
        await Succeed("dispatch", "local", Finished, finished, "--cloud", "local", "--create", "--dispatch", "--wait");
        var followed = Path.Combine(code, "followed.csv");
        await File.WriteAllTextAsync(followed,
            "instance_type,command\nt3.micro,\"i=0; while [ ! -e release ]; do i=$((i+1)); echo \"\"tick $i\"\"; sleep 0.2; done; echo released; exit 5\"\n");
        await Succeed("dispatch", "local", Followed, followed, "--cloud", "local", "--create", "--dispatch");

        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (!File.Exists(JobLog) || !(await File.ReadAllTextAsync(JobLog, deadline.Token)).Contains("tick 1", StringComparison.Ordinal))
        {
            await Task.Delay(50, deadline.Token);
        }
    }

    [OneTimeTearDown]
    public async Task RemoveBatches()
    {
        if (home is null)
        {
            return;
        }

        await Succeed("down", Running, "--delete-results", "--yes");
        await Succeed("down", Ready, "--delete-results");
        await Succeed("down", Finished, "--delete-results");
        await Succeed("down", Followed, "--delete-results", "--yes");
        Directory.Delete(Home, recursive: true);
    }

    private static async Task Succeed(params string[] arguments)
    {
        var run = await Cli.RunAsync(arguments);
        Assert.That(run.ExitCode, Is.Zero, $"awsrunner {string.Join(' ', arguments)}:\n{run.Output}\n{run.Error}");
    }
}
