using System.Text.Json;
using AwsRunner.Cli.Rendering;
using AwsRunner.Core.Cloud;
using AwsRunner.Core.Dispatch;

namespace AwsRunner.Tests.Cli.Rendering;

public sealed class StatusViewTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);

    private static readonly BatchStatus Status = new("sweep", "sweep", "aws", Now, Now,
    [
        new JobStatus(0, "c5.large", "i-0", InstanceState.Running, JobState.Running),
        new JobStatus(1, "c5.large", "i-1", InstanceState.Running, JobState.Running, SpotRefusal: "InsufficientInstanceCapacity"),
        new JobStatus(2, "t3.micro", "i-2", InstanceState.Running, JobState.Running, SpotRefusal: "InsufficientInstanceCapacity"),
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
        Assert.That(StatusView.Lines(Status with { Jobs = [Status.Jobs[0]] }), Has.None.Contains("on demand"));

    [Test]
    public void Json_GivesEachJobsSpotRefusal()
    {
        using var document = JsonDocument.Parse(JsonOutput.Serialize(StatusView.From(Status)));

        var refusals = document.RootElement.GetProperty("jobs").EnumerateArray().Select(j => j.GetProperty("spot_refused"));
        Assert.That(refusals.Select(r => r.ValueKind == JsonValueKind.Null ? null : r.GetString()),
            Is.EqualTo(new[] { null, "InsufficientInstanceCapacity", "InsufficientInstanceCapacity" }));
    }
}
