using AwsRunner.Sim.Spot;

namespace AwsRunner.Tests.Sim.Spot;

public sealed class SpotInterruptionsTests
{
    private static readonly DateTimeOffset Boot = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Minute = TimeSpan.FromSeconds(1);

    [Test]
    public void Plan_ShareOne_InterruptsEveryInstanceWithinItsFirstThreeMinutesWithTwoMinutesNotice()
    {
        var interruptions = new SpotInterruptions(1, seed: 7, Minute);

        var plans = Enumerable.Range(0, 200).Select(_ => interruptions.Plan(Boot)).ToList();

        Assert.Multiple(() =>
        {
            Assert.That(plans, Has.None.Null);
            Assert.That(plans.Select(p => p!.NoticeAt), Has.All.InRange(Boot, Boot + (3 * Minute)));
            Assert.That(plans.Select(p => p!.TerminateAt - p.NoticeAt), Has.All.EqualTo(2 * Minute));
        });
    }

    [Test]
    public void Plan_ShareZero_InterruptsNone()
    {
        var interruptions = new SpotInterruptions(0, seed: 7, Minute);

        Assert.That(Enumerable.Range(0, 200).Select(_ => interruptions.Plan(Boot)), Has.All.Null);
    }

    [Test]
    public void Plan_ShareOfThreeTenths_InterruptsAboutThatShare()
    {
        var interruptions = new SpotInterruptions(0.3, seed: 11, Minute);

        var interrupted = Enumerable.Range(0, 2000).Count(_ => interruptions.Plan(Boot) is not null);

        Assert.That(interrupted, Is.InRange(500, 700));
    }

    [Test]
    public void Plan_SameSeed_SameInterruptions()
    {
        var first = new SpotInterruptions(0.5, seed: 42, Minute);
        var second = new SpotInterruptions(0.5, seed: 42, Minute);

        Assert.That(
            Enumerable.Range(0, 50).Select(_ => second.Plan(Boot)),
            Is.EqualTo(Enumerable.Range(0, 50).Select(_ => first.Plan(Boot))));
    }
}
