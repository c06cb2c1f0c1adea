using System.Text.RegularExpressions;
using AwsRunner.Tests.Support;

namespace AwsRunner.Tests.Cli.Commands;

[TestFixture]
public sealed partial class LogsCommandTests
{
    [Test]
    public async Task Logs_RunningJob_PrintsItsJobLog()
    {
        var run = await LocalBatches.Cli.RunAsync("logs", LocalBatches.Running, "0");

        Assert.That(run.ExitCode, Is.Zero, run.Error);
        Assert.That(run.Output, Does.StartWith("job says 0\ntick 1\n"));
    }

    [Test]
    public async Task Logs_JobNotStarted_PrintsTheInstallLogAndSaysSo()
    {
        var run = await LocalBatches.Cli.RunAsync("logs", LocalBatches.Ready, "0");

        Assert.That(run.ExitCode, Is.Zero, run.Error);
        Assert.That(run.Output, Is.EqualTo("installed fine\n"));
        Assert.That(run.Error, Does.Contain("the job has not started").And.Contain("install log"));
    }

    [Test]
    public async Task Logs_Follow_KeepsPrintingWhatTheJobWrites()
    {
        var ticksBefore = Ticks().Count(await File.ReadAllTextAsync(LocalBatches.JobLog));
        using var process = LocalBatches.Cli.Start("logs", LocalBatches.Running, "0", "--follow");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var last = 0;
        try
        {
            while (last < ticksBefore + 3 && await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
            {
                var tick = Ticks().Match(line);
                last = tick.Success ? int.Parse(tick.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) : last;
            }
        }
        finally
        {
            process.Kill(entireProcessTree: true);
        }

        Assert.That(last, Is.GreaterThanOrEqualTo(ticksBefore + 3), "lines written after the follow began were printed");
    }

    [Test]
    public async Task Logs_UnknownJobIndex_ExitsWithBadInput()
    {
        var run = await LocalBatches.Cli.RunAsync("logs", LocalBatches.Running, "5");

        Assert.That(run.ExitCode, Is.EqualTo(2));
        Assert.That(run.Error, Does.Contain("there is no job 5"));
    }

    [Test]
    public async Task Logs_UnknownBatch_ExitsWithBadInput()
    {
        var run = await LocalBatches.Cli.RunAsync("logs", "no-such-batch", "0", "--cloud", "local");

        Assert.That(run.ExitCode, Is.EqualTo(2));
        Assert.That(run.Error, Does.Contain("no batch \"no-such-batch\""));
    }

    [Test]
    public async Task Logs_NodeGoneWithoutAnyLog_ExitsWithCloudErrorAndPointsToFetch()
    {
        var run = await LocalBatches.Cli.RunAsync("logs", LocalBatches.Gone, "0");

        Assert.That(run.ExitCode, Is.EqualTo(3));
        Assert.That(run.Error, Does.Contain("the bucket holds no log of it").And.Contain($"awsrunner fetch {LocalBatches.Gone}"));
    }

    [Test]
    public async Task Logs_NodeTerminatedAfterItsJob_PrintsTheJobLogFromTheBucket()
    {
        var status = await LocalBatches.Cli.RunAsync("status", LocalBatches.Finished, "--json");
        Assert.That(status.Output, Does.Contain("\"instance_state\": \"terminated\""), status.ToString());

        var run = await LocalBatches.Cli.RunAsync("logs", LocalBatches.Finished, "0");

        Assert.That(run.ExitCode, Is.Zero, run.Error);
        Assert.That(run.Output, Is.EqualTo("first\nlast of 0\n"));
    }

    [Test]
    public async Task Logs_FollowOfARunningJob_EndsWithTheJobAndExitsWithItsExitCode()
    {
        using var process = LocalBatches.Cli.Start("logs", LocalBatches.Followed, "0", "--follow");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var lines = new List<string>();
        try
        {
            while (await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
            {
                lines.Add(line);
                if (lines.Count == 2)
                {
                    await File.WriteAllTextAsync(LocalBatches.FollowedRelease, "", timeout.Token);
                }
            }

            await process.WaitForExitAsync(timeout.Token);
        }
        finally
        {
            process.Kill(entireProcessTree: true);
        }

        Assert.Multiple(() =>
        {
            Assert.That(process.ExitCode, Is.EqualTo(5), "the job's exit code");
            Assert.That(lines[0], Is.EqualTo("tick 1"), "the log from its start");
            Assert.That(lines[^1], Is.EqualTo("released"), "the log to its end");
            Assert.That(lines.Count(l => l == "released"), Is.EqualTo(1), "no line twice");
            Assert.That(lines.Where(l => l.StartsWith("tick ", StringComparison.Ordinal)), Is.EqualTo(
                Enumerable.Range(1, lines.Count - 1).Select(i => $"tick {i}")), "every line once, in order");
        });
    }

    [GeneratedRegex(@"^tick (\d+)$", RegexOptions.Multiline)]
    private static partial Regex Ticks();
}
