using AwsRunner.Core.Cloud;
using AwsRunner.Core.Dispatch;
using AwsRunner.Core.Ledger;
using AwsRunner.Tests.Support;

namespace AwsRunner.Tests.Dispatch;

/// <summary>How many nodes a batch asks for, and which seats a dispatch or a wait fills.</summary>
public sealed class SeatingTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.UnixEpoch.AddHours(1);
    private static readonly DispatchOptions NoCap = Options(maxInstances: null);

    [Test]
    public void Asked_NoCapAnywhere_IsASeatARow()
    {
        var seats = Seating.Asked(TestLedgers.Rows("sweep", 5), NoCap, nodesPerType: null);

        Assert.That(seats.Select(s => s.Row), Is.EqualTo(new[] { 0, 1, 2, 3, 4 }));
    }

    [Test]
    public void Asked_CappedType_SpreadsItsSeatsOverItsRows()
    {
        var seats = Seating.Asked(TestLedgers.Rows("sweep", 30), Options(maxInstances: 3), nodesPerType: null);

        Assert.That(seats.Select(s => s.Row), Is.EqualTo(new[] { 0, 10, 20 }));
    }

    [Test]
    public void Asked_CloudRunsFewNodesAType_TakesThatWhenTheDispatchCapsNone()
    {
        // The local cloud: as many nodes as it runs jobs at once, not a process a row.
        var seats = Seating.Asked(TestLedgers.Rows("sweep", 1000), NoCap, nodesPerType: 2);

        Assert.That(seats.Select(s => s.Row), Is.EqualTo(new[] { 0, 500 }));
    }

    [Test]
    public void Asked_DispatchCap_OverridesTheClouds()
    {
        var seats = Seating.Asked(TestLedgers.Rows("sweep", 10), Options(maxInstances: 5), nodesPerType: 2);

        Assert.That(seats, Has.Count.EqualTo(5));
    }

    [Test]
    public void Asked_CapByType_AppliesToThatTypeOnly()
    {
        var jobs = "instance_type,command\n" + string.Concat(Enumerable.Repeat("c5.large,true\n", 4)) + string.Concat(Enumerable.Repeat("t3.micro,true\n", 4));
        var options = Options(maxInstances: 2, byType: new Dictionary<string, int> { ["t3.micro"] = 1 });

        var seats = Seating.Asked(TestLedgers.Of("sweep", jobs), options, nodesPerType: null);

        Assert.That(seats, Is.EqualTo(new[] { (0, "c5.large"), (2, "c5.large"), (4, "t3.micro") }));
    }

    [Test]
    public void ToFill_WaitWithLostNodes_FillsAsManySeatsAsRowsLeft()
    {
        var document = ThreeSeatsOfTen();
        var status = Status(document, live: ["i-10"], rowsLeft: 2);

        var (seats, gone) = Seating.ToFill(document, status, asked: false, Now, TimeSpan.FromMinutes(10));

        Assert.That(seats.Order(), Is.EqualTo(new[] { 0, 10 }), "the live node and one more: two rows are left");
        Assert.That(gone, Is.EqualTo(new[] { (0, "i-0", false) }));
    }

    [Test]
    public void ToFill_WaitWithANodeWhoseInstallFailed_LeavesItsSeatEmpty()
    {
        var document = ThreeSeatsOfTen(installOf0: "install-failed");
        var status = Status(document, live: ["i-10", "i-20"], rowsLeft: 10);

        var (seats, gone) = Seating.ToFill(document, status, asked: false, Now, TimeSpan.FromMinutes(10));

        Assert.That(seats.Order(), Is.EqualTo(new[] { 10, 20 }));
        Assert.That(gone, Is.Empty);
    }

    [Test]
    public void ToFill_PersonsDispatch_FillsASeatWhoseInstallFailedToo()
    {
        var document = ThreeSeatsOfTen(installOf0: "install-failed");
        var status = Status(document, live: ["i-10", "i-20"], rowsLeft: 10);

        var (seats, _) = Seating.ToFill(document, status, asked: true, Now, TimeSpan.FromMinutes(10));

        Assert.That(seats.Order(), Is.EqualTo(new[] { 0, 10, 20 }));
    }

    [Test]
    public void ToFill_EveryRowFinal_FillsNothing()
    {
        var document = ThreeSeatsOfTen();
        var status = Status(document, live: [], rowsLeft: 0);

        var (seats, gone) = Seating.ToFill(document, status, asked: false, Now, TimeSpan.FromMinutes(10));

        Assert.That((seats.Count, gone.Count), Is.EqualTo((0, 0)));
    }

    [Test]
    public void ToFill_FewerRowsLeftThanSeats_FillsNoMoreSeatsThanRows()
    {
        var document = ThreeSeatsOfTen();
        var status = Status(document, live: [], rowsLeft: 1);

        var (seats, _) = Seating.ToFill(document, status, asked: false, Now, TimeSpan.FromMinutes(10));

        Assert.That(seats, Has.Count.EqualTo(1));
    }

    // Ten rows of c5.large on three seats (rows 0, 10 and 20 of thirty), each filled by its node i-ROW.
    private static LedgerDocument ThreeSeatsOfTen(string installOf0 = "ready")
    {
        var seated = TestLedgers.Rows("sweep", 30).Seated([(0, "c5.large"), (10, "c5.large"), (20, "c5.large")]);
        return seated with
        {
            Seats = seated.Seats.Select(s => s with { Node = $"i-{s.Row}" }).ToList(),
            Nodes = seated.Seats.Select(s => TestLedgers.Node($"i-{s.Row}", s.Row, DateTimeOffset.UnixEpoch, s.Row == 0 ? installOf0 : "ready")).ToList(),
        };
    }

    private static DispatchOptions Options(int? maxInstances, IReadOnlyDictionary<string, int>? byType = null) => new()
    {
        ImageId = "ami-12345678",
        Name = "sweep",
        JobFile = "jobs.csv",
        MaxInstances = maxInstances,
        MaxInstancesByType = byType ?? new Dictionary<string, int>(),
    };

    // The batch read now: the nodes named live run, the others are terminated; the last rowsLeft rows are still queued.
    private static BatchStatus Status(LedgerDocument document, IReadOnlyList<string> live, int rowsLeft) => new()
    {
        Name = document.Name,
        Bucket = document.Name,
        Cloud = "aws",
        CreatedAt = document.CreatedAt,
        ReadAt = Now,
        Jobs = document.Rows.Select(r => new JobStatus
        {
            Index = r.Index,
            InstanceType = r.InstanceType,
            State = r.Index >= document.Rows.Count - rowsLeft ? JobState.Queued : JobState.Done,
            ExitCode = 0,
        }).ToList(),
        Nodes = document.Nodes.Select(n => new NodeStatus
        {
            InstanceId = n.Id,
            InstanceType = n.InstanceType,
            Instance = live.Contains(n.Id) ? InstanceState.Running : InstanceState.Terminated,
        }).ToList(),
    };
}
