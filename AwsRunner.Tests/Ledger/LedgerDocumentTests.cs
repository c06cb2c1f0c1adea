using AwsRunner.Core.Cloud;
using AwsRunner.Core.Ledger;
using AwsRunner.Tests.Support;

namespace AwsRunner.Tests.Ledger;

/// <summary>The ledger's transitions, each a function of the document alone.</summary>
public sealed class LedgerDocumentTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.UnixEpoch.AddDays(1);

    [Test]
    public void Published_EachRowGetsItsAttemptNumbers_AndARowRenewedStartsAfterItsLast()
    {
        var published = TestLedgers.Rows("sweep", 2).Published(attempts: 3);
        var queue = published.Queue!;

        var renewed = published.Published(queue, 3, new HashSet<int> { 1 });

        Assert.That(published.Rows.Select(r => (r.FirstAttempt, r.LastAttempt)), Is.EqualTo(new[] { (1, 3), (1, 3) }));
        Assert.That(renewed.Rows.Select(r => (r.FirstAttempt, r.LastAttempt)), Is.EqualTo(new[] { (1, 3), (4, 6) }), "a row given more attempts numbers them on");
    }

    [Test]
    public void Restarted_AfterDown_NumbersTheNewAttemptsOnAndEmptiesTheSeats()
    {
        var plan = TestLedgers.Plan("sweep", "instance_type,command\nc5.large,true\n");
        var document = TestLedgers.Rows("sweep", 1).Published(attempts: 3).WithNodes(Now).TakenDown(Now);

        var next = document.Restarted(plan, TestLedgers.Settings(), Now).Published(attempts: 3);

        Assert.Multiple(() =>
        {
            Assert.That((next.DownAt, next.Run), Is.EqualTo(((DateTimeOffset?)null, 2)));
            Assert.That(next.Rows.Select(r => (r.FirstAttempt, r.LastAttempt)), Is.EqualTo(new[] { (4, 6) }), "no attempt of the run before is written over");
            Assert.That(next.Seats.Select(s => (s.Node, s.Gone)), Is.EqualTo(new[] { ((string?)null, new[] { "i-0" }) }));
        });
    }

    [Test]
    public void Launched_RecordsEachNodeInItsSeatAndDropsTheClaim()
    {
        var (claimed, _) = TestLedgers.Rows("sweep", 2).Seated([(0, "c5.large"), (1, "c5.large")])
            .ClaimSeats([0, 1], new LaunchClaim("me", Now), TimeSpan.FromMinutes(15), _ => false);

        var next = claimed.Launched([new NodeInstance("sweep", 1, "i-1", "c5.large", InstanceState.Pending, null, Now)]);

        Assert.That(next.Seats.Select(s => (s.Node, s.Claim?.By)), Is.EqualTo(new[] { ((string?)null, "me"), ("i-1", (string?)null) }));
        Assert.That(next.Nodes.Select(n => (n.Id, n.Seat)), Is.EqualTo(new[] { ("i-1", 1) }));
    }

    [TestCase(2, true)]
    [TestCase(3, false)]
    public void Vacated_SecondSpotNodeTakenBack_FillsTheSeatOnDemandFromTheFallbackOn(int fallbackAfter, bool onDemand)
    {
        var document = TestLedgers.Rows("sweep", 1).WithNodes(Now, spot: true);
        var (once, _) = document.Vacated([(0, "i-0", true)], fallbackAfter);
        var again = once.Launched([new NodeInstance("sweep", 0, "i-9", "c5.large", InstanceState.Pending, null, Now, Spot: true)]);

        var (twice, vacated) = again.Vacated([(0, "i-9", true)], fallbackAfter);

        Assert.That(vacated, Is.EqualTo(new[] { 0 }));
        Assert.That((twice.Seats[0].OnDemand, twice.Seats[0].Gone), Is.EqualTo((onDemand, new[] { "i-0", "i-9" })));
    }
}
