using AwsRunner.Cli.Commands;
using AwsRunner.Core.Dispatch;

namespace AwsRunner.Tests.Cli.Commands;

public sealed class DispatchSummaryTests
{
    [Test]
    public void Summary_SpotRefusedForSomeRows_SaysWhichRunOnDemand()
    {
        var result = new DispatchResult
        {
            Plan = null!,
            Nodes =
            [
                new NodeOutcome { Index = 0, InstanceId = "i-0", State = JobState.Running },
                new NodeOutcome { Index = 1, InstanceId = "i-1", State = JobState.Running, SpotRefusal = "InsufficientInstanceCapacity" },
            ],
        };

        Assert.That(DispatchCommand.Summary("sweep", dispatched: true, result),
            Is.EqualTo("Batch sweep: 2 of 2 nodes started; 1 job runs on demand, spot refused (InsufficientInstanceCapacity): 0001."));
    }

    [Test]
    public void Summary_EveryRowAsAsked_IsTheCountAlone() =>
        Assert.That(DispatchCommand.Summary("sweep", dispatched: true, new DispatchResult { Plan = null!, Nodes = [new NodeOutcome { Index = 0, InstanceId = "i-0", State = JobState.Running }] }),
            Is.EqualTo("Batch sweep: 1 of 1 nodes started."));
}
