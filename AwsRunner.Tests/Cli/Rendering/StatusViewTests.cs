using System.Text.Json;
using AwsRunner.Cli.Rendering;
using AwsRunner.Core.Cloud;
using AwsRunner.Core.Dispatch;

namespace AwsRunner.Tests.Cli.Rendering;

public sealed class StatusViewTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);

    private static readonly BatchStatus Status = Batch(
    [
        new JobStatus { Index = 0, InstanceType = "c5.large", InstanceId = "i-0", Instance = InstanceState.Running, State = JobState.Running },
        new JobStatus { Index = 1, InstanceType = "c5.large", InstanceId = "i-1", Instance = InstanceState.Running, State = JobState.Running, SpotRefusal = "InsufficientInstanceCapacity" },
        new JobStatus { Index = 2, InstanceType = "t3.micro", InstanceId = "i-2", Instance = InstanceState.Running, State = JobState.Running, SpotRefusal = "InsufficientInstanceCapacity" },
    ]);

    private static readonly BatchStatus Problems = Batch(
    [
        new JobStatus
        {
            Index = 0,
            InstanceType = "c5.large",
            InstanceId = "i-0",
            Instance = InstanceState.Running,
            State = JobState.UploadFailed,
            UploadError = "curl: (22) The requested URL returned error: 403\nmore",
            PowerOffError = "sudo: a password is required",
        },
        new JobStatus
        {
            Index = 1,
            InstanceType = "c5.large",
            InstanceId = "i-1",
            Instance = InstanceState.Terminated,
            State = JobState.Unreadable,
            UnreadableStatus = "s3://sweep/sweep/jobs/0001/status.json",
        },
    ]);

    [Test]
    public void Lines_JobsRunOnDemandBecauseSpotWasRefused_AreMarkedAndNamed()
    {
        var lines = StatusView.Lines(Status).ToList();

        Assert.Multiple(() =>
        {
            Assert.That(lines.Single(l => l.StartsWith("0000", StringComparison.Ordinal)), Does.Not.Contain("on demand"));
            Assert.That(lines.Single(l => l.StartsWith("0001", StringComparison.Ordinal)), Does.Contain("c5.large on demand"));
            Assert.That(lines[^1], Is.EqualTo("2 jobs run on demand, spot refused (InsufficientInstanceCapacity): 0001, 0002"));
        });
    }

    [Test]
    public void Lines_NoJobOnDemand_SayNothingOfIt() =>
        Assert.That(StatusView.Lines(Batch([Status.Jobs[0]])), Has.None.Contains("on demand"));

    [Test]
    public void Lines_UploadAndPowerOffErrorsAndAnUnreadableStatus_AreSaidBelowTheTable()
    {
        var lines = StatusView.Lines(Problems).ToList();

        Assert.Multiple(() =>
        {
            Assert.That(lines.Single(l => l.StartsWith("0000 ", StringComparison.Ordinal)), Does.Contain("upload-failed"));
            Assert.That(lines.Single(l => l.StartsWith("0001 ", StringComparison.Ordinal)), Does.Contain("unreadable"));
            Assert.That(lines.Skip(4), Is.EqualTo(new[]
            {
                "0000: upload failing, the node keeps its results and retries: curl: (22) The requested URL returned error: 403",
                "0000: power-off failed (its instance is terminated 10 minutes after its result): sudo: a password is required",
                "0001: its status.json cannot be read (s3://sweep/sweep/jobs/0001/status.json); the job is not run again, so that nothing overwrites its result",
            }));
            Assert.That(StatusView.ExitCode(Problems), Is.EqualTo(3));
        });
    }

    [Test]
    public void Json_GivesEachJobsUploadAndPowerOffErrorsAndUnreadableStatus()
    {
        using var document = JsonDocument.Parse(JsonOutput.Serialize(StatusView.From(Problems)));

        var jobs = document.RootElement.GetProperty("jobs").EnumerateArray().ToList();
        Assert.Multiple(() =>
        {
            Assert.That(jobs[0].GetProperty("state").GetString(), Is.EqualTo("upload-failed"));
            Assert.That(jobs[0].GetProperty("upload_error").GetString(), Is.EqualTo("curl: (22) The requested URL returned error: 403\nmore"));
            Assert.That(jobs[0].GetProperty("poweroff_error").GetString(), Is.EqualTo("sudo: a password is required"));
            Assert.That(jobs[0].GetProperty("unreadable_status").ValueKind, Is.EqualTo(JsonValueKind.Null));
            Assert.That(jobs[1].GetProperty("state").GetString(), Is.EqualTo("unreadable"));
            Assert.That(jobs[1].GetProperty("unreadable_status").GetString(), Is.EqualTo("s3://sweep/sweep/jobs/0001/status.json"));
            Assert.That(document.RootElement.GetProperty("finished").GetBoolean(), Is.False);
        });
    }

    [Test]
    public void Json_GivesEachJobsSpotRefusal()
    {
        using var document = JsonDocument.Parse(JsonOutput.Serialize(StatusView.From(Status)));

        var refusals = document.RootElement.GetProperty("jobs").EnumerateArray().Select(j => j.GetProperty("spot_refused"));
        Assert.That(refusals.Select(r => r.ValueKind == JsonValueKind.Null ? null : r.GetString()),
            Is.EqualTo(new[] { null, "InsufficientInstanceCapacity", "InsufficientInstanceCapacity" }));
    }

    private static BatchStatus Batch(IReadOnlyList<JobStatus> jobs) =>
        new() { Name = "sweep", Bucket = "sweep", Cloud = "aws", CreatedAt = Now, ReadAt = Now, Jobs = jobs };
}
