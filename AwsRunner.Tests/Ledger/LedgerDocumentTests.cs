using AwsRunner.Core.Dispatch;
using AwsRunner.Core.Ledger;
using AwsRunner.Tests.Support;

namespace AwsRunner.Tests.Ledger;

/// <summary>The ledger's transitions, each a function of the document alone.</summary>
public sealed class LedgerDocumentTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.UnixEpoch.AddDays(1);

    [Test]
    public void Retried_PreemptedSpotRow_RecordsTheAttemptAndOpensTheNextWithoutANode()
    {
        var document = TestLedgers.Rows("sweep", 1)
            .WithAttempts(0, new LedgerAttempt { Number = 1, Node = "i-0", DispatchedAt = Now })
            .WithNodes(TestLedgers.Node("i-0", Now, spot: true));

        var (next, advanced) = document.Retried([(0, 1, JobState.Preempted, 143)], spotFallbackAfter: 2);

        var row = next.Rows[0];
        Assert.Multiple(() =>
        {
            Assert.That(advanced, Is.EqualTo(new[] { 0 }));
            Assert.That(row.Attempts.Select(a => (a.Number, a.Node, a.Ended, a.ExitCode)),
                Is.EqualTo(new[] { (1, "i-0", "preempted", (int?)143), (2, null, null, null) }));
            Assert.That(row.OnDemand, Is.False, "one preemption of the two that send a row on demand");
        });
    }

    [TestCase(2, true)]
    [TestCase(3, false)]
    public void Retried_SecondPreemption_RunsTheRowOnDemandFromTheFallbackOn(int fallbackAfter, bool onDemand)
    {
        // The first attempt's spot node was lost without a word; it counts as taken back.
        var document = TestLedgers.Rows("sweep", 1)
            .WithAttempts(0, new LedgerAttempt { Number = 1, Node = "i-old", Ended = "lost" }, new LedgerAttempt { Number = 2, Node = "i-0" })
            .WithNodes(TestLedgers.Node("i-old", Now, spot: true), TestLedgers.Node("i-0", Now, spot: true));

        var (next, _) = document.Retried([(0, 2, JobState.Preempted, null)], fallbackAfter);

        Assert.That((next.Rows[0].Current.Number, next.Rows[0].OnDemand), Is.EqualTo((3, onDemand)));
    }

    [Test]
    public void Restarted_AfterDown_NumbersTheNewAttemptsOnAndCountsRetriesAfresh()
    {
        var plan = TestLedgers.Plan("sweep", "instance_type,command\nc5.large,true\n");
        var document = TestLedgers.Rows("sweep", 1)
            .WithAttempts(0, new LedgerAttempt { Number = 1, Ended = "lost" }, new LedgerAttempt { Number = 2, Node = "i-0" })
            .TakenDown(Now);

        var next = document.Restarted(plan, TestLedgers.Settings(), Now);

        Assert.Multiple(() =>
        {
            Assert.That(next.DownAt, Is.Null);
            Assert.That(next.Rows[0].Attempts.Select(a => (a.Number, a.Run, a.Ended)),
                Is.EqualTo(new[] { (1, 1, "lost"), (2, 1, "taken-down"), (3, 2, (string?)null) }));
            Assert.That(next.AttemptsThisRun(next.Rows[0]), Is.EqualTo(1));
        });
    }

    [Test]
    public void Launched_RecordsEachNodeOnItsRowsAttemptAndDropsTheClaim()
    {
        var (claimed, _) = TestLedgers.Rows("sweep", 2).ClaimLaunches([0, 1], new LaunchClaim("me", Now), TimeSpan.FromMinutes(15), _ => false);

        var next = claimed.Launched([new AwsRunner.Core.Cloud.NodeInstance("sweep", 1, "i-1", "c5.large", AwsRunner.Core.Cloud.InstanceState.Pending, null, Now)]);

        Assert.That(next.Rows.Select(r => (r.Current.Node, r.Current.Claim?.By)), Is.EqualTo(new[] { ((string?)null, "me"), ("i-1", (string?)null) }));
        Assert.That(next.Nodes.Select(n => n.Id), Is.EqualTo(new[] { "i-1" }));
    }
}
