using System.Text.Json;
using AwsRunner.Cli.Rendering;
using AwsRunner.Core.Cloud;
using AwsRunner.Core.Dispatch;

namespace AwsRunner.Tests.Cli.Rendering;

public sealed class StatusViewAttemptTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);

    private static readonly BatchStatus Status = new()
    {
        Name = "sweep",
        Bucket = "sweep",
        Cloud = "aws",
        CreatedAt = Now,
        ReadAt = Now,
        Jobs =
        [
            new JobStatus { Index = 0, InstanceType = "c5.large", InstanceId = "i-0", Instance = InstanceState.Terminated, State = JobState.Done, ExitCode = 0 },
            new JobStatus
            {
                Index = 1,
                InstanceType = "c5.large",
                InstanceId = "i-9",
                Instance = InstanceState.Running,
                State = JobState.Running,
                Attempt = 3,
                EarlierAttempts =
                [
                    new JobAttempt { Attempt = 1, State = JobState.Preempted, ExitCode = 143, InstanceId = "i-1", Spot = true },
                    new JobAttempt { Attempt = 2, State = JobState.Failed, ExitCode = 75, InstanceId = "i-5", Spot = true },
                ],
            },
        ],
    };

    [Test]
    public void Lines_RetriedJob_SaysItsAttemptAndHowEachEarlierOneEnded()
    {
        var lines = StatusView.Lines(Status).ToList();

        Assert.That(lines[^1], Is.EqualTo("0001: attempt 3; attempt 1 preempted; attempt 2 failed (exit 75)"));
        Assert.That(lines, Has.None.StartsWith("0000:"), "a job run once says nothing of attempts");
    }

    [Test]
    public void Json_GivesEachJobsAttemptAndEarlierAttempts()
    {
        using var document = JsonDocument.Parse(JsonOutput.Serialize(StatusView.From(Status)));

        var jobs = document.RootElement.GetProperty("jobs");
        var earlier = jobs[1].GetProperty("earlier_attempts")[0];
        Assert.Multiple(() =>
        {
            Assert.That(jobs[0].GetProperty("attempt").GetInt32(), Is.EqualTo(1));
            Assert.That(jobs[0].GetProperty("earlier_attempts").GetArrayLength(), Is.Zero);
            Assert.That(jobs[1].GetProperty("attempt").GetInt32(), Is.EqualTo(3));
            Assert.That((earlier.GetProperty("attempt").GetInt32(), earlier.GetProperty("state").GetString(), earlier.GetProperty("exit_code").GetInt32(),
                earlier.GetProperty("instance_id").GetString(), earlier.GetProperty("spot").GetBoolean()), Is.EqualTo((1, "preempted", 143, "i-1", true)));
        });
    }
}
