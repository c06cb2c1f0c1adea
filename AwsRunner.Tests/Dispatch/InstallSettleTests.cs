using AwsRunner.Core.Cloud;
using AwsRunner.Core.Dispatch;
using AwsRunner.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace AwsRunner.Tests.Dispatch;

/// <summary>
/// A short INSTALL.sh is known done from the command that uploaded the code and started it: on a fleet of many nodes
/// a poll round (one more command to every node) cost more than it saved (docs/benchmarks.md, fan-out).
/// </summary>
[TestFixture]
public sealed class InstallSettleTests
{
    [Test]
    public async Task Create_ShortInstall_OutcomeComesWithTheUpload_NoPollRoundAfterIt()
    {
        using var folder = new TempFolder();
        var jobs = folder.Write("code/jobs.csv", "instance_type,command\nt3.micro,echo one\nt3.micro,echo two\n");
        var install = folder.Write("install.sh", "echo installed\n");
        var home = folder.Combine("home");
        var local = CloudConnection.Local(home, 2, TimeProvider.System, NullLoggerFactory.Instance);
        var shell = new RecordingShell(local.Shell);
        await using var connection = new CloudConnection(local.Kind, local.Cloud, shell, local.Results);

        var result = await new BatchRunner(connection, home).DispatchAsync(
            new DispatchOptions { ImageId = "local", Name = "settle", JobFile = jobs, InstallScript = install, Create = true });

        Assert.Multiple(() =>
        {
            Assert.That(result.Nodes.Select(n => n.State), Is.All.EqualTo(JobState.Ready));
            foreach (var job in new[] { 0, 1 })
            {
                Assert.That(shell.CommandsOf(job)[^1], Does.Contain("'start' 'install'").And.Contains("'report'"),
                    $"job {job}: the last command is the one that started INSTALL.sh and reported its end");
            }
        });
    }
}
