using System.Globalization;
using System.Text.RegularExpressions;
using AwsRunner.Core.Cloud;
using AwsRunner.Core.Cloud.Local;
using AwsRunner.Core.Dispatch;
using AwsRunner.Core.Node;
using AwsRunner.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace AwsRunner.Tests.Dispatch;

/// <summary>
/// The three switches of a node fall one after the other with room to spare: the runner's (stop the job, upload
/// what it has), the boothook's power-off, the dispatcher's terminate; and this machine's clock moves none of them.
/// </summary>
public sealed partial class NodeDeadlineTests
{
    private const string Name = "deadline";
    private static readonly DateTimeOffset Launch = new(2026, 3, 1, 8, 0, 0, TimeSpan.Zero);

    [TestCase(0.02)]
    [TestCase(24)]
    [TestCase(168)]
    public void Switches_FollowEachOther_EachWithItsAllowance(double maxHours)
    {
        var graceful = NodeDeadline.SwitchAt(Launch, maxHours);
        var powerOff = NodeDeadline.PowerOffAt(Launch, maxHours);
        var terminate = NodeDeadline.TerminateAt(Launch, maxHours);

        Assert.Multiple(() =>
        {
            Assert.That(graceful, Is.EqualTo(Launch + TimeSpan.FromHours(maxHours)), "a job over --max-hours is stopped at max-hours");
            Assert.That(powerOff - graceful, Is.EqualTo(NodeDeadline.LastUpload + NodeDeadline.ClockMargin), "the last upload and room for the clocks");
            Assert.That(terminate - powerOff, Is.GreaterThanOrEqualTo(TimeSpan.FromMinutes(15)), "the dispatcher comes last, after a laptop clock up to 15 minutes off");
        });
    }

    [Test]
    public void Runner_LastUploadLimit_IsTheOneTheSwitchesAllowFor() =>
        Assert.That(NodeContract.Names, Does.Contain(("DEADLINE_UPLOAD_SECONDS", "300")));

    [Test]
    public async Task Create_LaptopClockTwentyMinutesSlow_ArmsTheRunnerAtTheCloudsLaunchTimePlusMaxHours()
    {
        using var folder = new TempFolder();
        folder.Write("code/jobs.csv", "instance_type,command\nt3.micro,echo one\n");
        var home = folder.Combine("home");
        await using var local = LocalCloudConnection.Open(home, 2, TimeProvider.System, NullLoggerFactory.Instance);
        var shell = new RecordingShell(local.Shell);
        var connection = new CloudConnection(local.Kind, local.Cloud, shell, local.Results);
        var runner = new BatchRunner(connection, home, time: new SlowClock(TimeSpan.FromMinutes(20)));
        try
        {
            await runner.DispatchAsync(new DispatchOptions
            {
                ImageId = "local", Name = Name, JobFile = folder.Combine("code", "jobs.csv"), Create = true, MaxHours = 2,
            });

            var launched = (await local.Cloud.DescribeAsync(Name, CancellationToken.None)).Single().LaunchTime;
            var armed = shell.CommandsOf(0).Select(c => ArmCommand().Match(c)).Single(m => m.Success).Groups[1].Value;
            Assert.That(long.Parse(armed, CultureInfo.InvariantCulture), Is.EqualTo((launched + TimeSpan.FromHours(2)).ToUnixTimeSeconds()));
        }
        finally
        {
            await runner.DownAsync(Name);
        }
    }

    [GeneratedRegex(@"'arm' '([0-9]+)'")]
    private static partial Regex ArmCommand();

    private sealed class SlowClock(TimeSpan behind) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => System.GetUtcNow() - behind;
    }
}
