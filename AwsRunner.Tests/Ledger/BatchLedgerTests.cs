using System.Text;
using System.Text.Json.Nodes;
using AwsRunner.Core;
using AwsRunner.Core.Cloud;
using AwsRunner.Core.Dispatch;
using AwsRunner.Core.Ledger;
using AwsRunner.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace AwsRunner.Tests.Ledger;

/// <summary>The ledger's owner: what it reads back, and what two dispatchers writing at once leave.</summary>
public sealed class BatchLedgerTests
{
    private const string Jobs = "instance_type,command,seed,rate\nc5.large,python run.py,1,0.1\nc5.large,python run.py,2,0.2\n";
    private const string Source = "mem://sweep/sweep/ledger.json.gz";
    private readonly FakeTimeProvider time = new();
    private MemoryResultStore store = null!;

    [SetUp]
    public void SetUp() => store = new MemoryResultStore(time);

    [Test]
    public async Task Load_AsWritten_ReadsBackTheSame()
    {
        var ledger = await TestLedgers.StoreAsync(store, TestLedgers.Of("sweep", Jobs));

        Assert.That(ledger.Document.Rows.Select(r => (r.Index, r.InstanceType, r.Variables["seed"], r.FirstAttempt)),
            Is.EqualTo(new[] { (0, "c5.large", "1", 1), (1, "c5.large", "2", 1) }));
    }

    [TestCase("rows/1/variables", "PATH", "/tmp/evil", "row 1: variable \"PATH\": PATH belongs to the node's shell", TestName = "Load_VariableTheShellOwns_IsRefused")]
    [TestCase("rows/0/variables", "my-var", "1", "row 0: variable \"my-var\": not a valid shell variable name", TestName = "Load_VariableNotAShellIdentifier_IsRefused")]
    [TestCase("rows/0/variables", "AWSRUNNER_INDEX", "7", "row 0: variable \"AWSRUNNER_INDEX\": names starting with AWSRUNNER_ are reserved for awsrunner", TestName = "Load_ReservedVariable_IsRefused")]
    [TestCase("rows/1", "index", 5, "row 1: index 5 where 1 belongs (rows are in job order)", TestName = "Load_IndexOutOfPlace_IsRefused")]
    [TestCase("rows/0", "instance_type", "c5.large; rm -rf /", "row 0: instance type \"c5.large; rm -rf /\" is not of the form family.size", TestName = "Load_BadInstanceType_IsRefused")]
    [TestCase("rows/0", "command", " ", "row 0: empty command", TestName = "Load_BlankCommand_IsRefused")]
    [TestCase("", "name", "other", "it is the ledger of batch \"other\", not of \"sweep\"", TestName = "Load_AnotherBatchsLedger_IsRefused")]
    [TestCase("settings", "heartbeat_seconds", 0, "heartbeat_seconds 0 and max_hours 24 must be positive", TestName = "Load_ZeroHeartbeat_IsRefused")]
    [TestCase("", "format", 7, "format 7, where this awsrunner reads format 1", TestName = "Load_AnotherFormat_IsRefused")]
    [TestCase("rows/0", "first_attempt", 0, "row 0: attempts 0 to 0 are not attempt numbers", TestName = "Load_AttemptNumberZero_IsRefused")]
    [TestCase("rows/0", "last_attempt", 5000, "row 0: attempts 1 to 5000 are not attempt numbers", TestName = "Load_MoreAttemptsThanOneListPageHolds_AreRefused")]
    public async Task Load_LedgerBreakingAJobFileRule_IsACloudErrorNamingTheObject(string at, string property, object value, string problem)
    {
        var json = JsonNode.Parse(TestLedgers.Of("sweep", Jobs).ToBytes())!;
        var target = at.Split('/', StringSplitOptions.RemoveEmptyEntries)
            .Aggregate(json, (node, part) => int.TryParse(part, out var i) ? node[i]! : node[part]!);
        target[property] = JsonValue.Create(value);
        store.Put("sweep", "sweep/ledger.json.gz", json.ToJsonString());

        var error = Assert.ThrowsAsync<CloudException>(() => BatchLedger.LoadAsync(store, "sweep", "sweep", CancellationToken.None))!;

        Assert.That(error.Message, Does.StartWith($"Error attempting to read the ledger {Source}: {problem}"));
        Assert.That(error.Hint, Does.Contain("changed outside awsrunner"));
    }

    [TestCase("{\"name\":", TestName = "Load_TruncatedJson_IsACloudError")]
    [TestCase("[]", TestName = "Load_NotAnObject_IsACloudError")]
    [TestCase("", TestName = "Load_EmptyObject_IsACloudError")]
    [TestCase("{\"name\":\"sweep\"}", TestName = "Load_RequiredFieldsMissing_IsACloudError")]
    public void Load_NotALedger_IsACloudErrorNamingTheObject(string text)
    {
        store.Put("sweep", "sweep/ledger.json.gz", text);

        var error = Assert.ThrowsAsync<CloudException>(() => BatchLedger.LoadAsync(store, "sweep", "sweep", CancellationToken.None))!;

        Assert.That(error.Message, Does.StartWith($"Error attempting to read the ledger {Source}: "));
    }

    [Test]
    public async Task Load_WrittenGzipped_ReadsBackAndIsSmallerThanItsJson()
    {
        var document = TestLedgers.Rows("sweep", 500);
        var ledger = await BatchLedger.CreateAsync(store, "sweep", document, CancellationToken.None);
        var stored = (await store.ListAsync("sweep", "sweep/ledger.json.gz", CancellationToken.None)).Single();

        Assert.That(ledger.Ledger.Document.Rows, Has.Count.EqualTo(500));
        Assert.That(stored.Size, Is.LessThan(document.ToBytes().Length / 5), "ten thousand rows are rewritten whole at each change");
    }

    [Test]
    public async Task Change_TwoOwnersOfOneVersion_KeepBothChanges()
    {
        var document = TestLedgers.Rows("sweep", 2).Seated([(0, "c5.large"), (1, "c5.large")]);
        await TestLedgers.StoreAsync(store, document);
        var one = await BatchLedger.RequireAsync(store, "sweep", "sweep", CancellationToken.None);
        var two = await BatchLedger.RequireAsync(store, "sweep", "sweep", CancellationToken.None);

        await one.ChangeAsync(d => d.Launched([Instance(0, "i-0")]), CancellationToken.None);
        await two.ChangeAsync(d => d.Launched([Instance(1, "i-1")]), CancellationToken.None);
        var read = await BatchLedger.RequireAsync(store, "sweep", "sweep", CancellationToken.None);

        Assert.That(read.Document.Seats.Select(s => s.Node), Is.EqualTo(new[] { "i-0", "i-1" }),
            "the second writer read the first one's change and applied its own to that");
    }

    [Test]
    public async Task Create_TwoDispatchersAtOnce_TheSecondGetsTheFirstsLedger()
    {
        var first = TestLedgers.Rows("sweep", 2, createdAt: DateTimeOffset.UnixEpoch);
        var second = TestLedgers.Rows("sweep", 2, createdAt: DateTimeOffset.UnixEpoch.AddHours(1));

        var (_, created) = await BatchLedger.CreateAsync(store, "sweep", first, CancellationToken.None);
        var (ledger, createdAgain) = await BatchLedger.CreateAsync(store, "sweep", second, CancellationToken.None);

        Assert.That((created, createdAgain), Is.EqualTo((true, false)));
        Assert.That(ledger.Document.CreatedAt, Is.EqualTo(DateTimeOffset.UnixEpoch));
    }

    [Test]
    public async Task ClaimSeats_TwoDispatchers_EachSeatIsClaimedOnce()
    {
        await TestLedgers.StoreAsync(store, Seated(3));
        var one = await BatchLedger.RequireAsync(store, "sweep", "sweep", CancellationToken.None);
        var two = await BatchLedger.RequireAsync(store, "sweep", "sweep", CancellationToken.None);
        var now = time.GetUtcNow();

        var byOne = await one.ChangeAsync(d => d.ClaimSeats([0, 1, 2], new LaunchClaim("one", now), TimeSpan.FromMinutes(15), _ => false), CancellationToken.None);
        var byTwo = await two.ChangeAsync(d => d.ClaimSeats([0, 1, 2], new LaunchClaim("two", now), TimeSpan.FromMinutes(15), _ => false), CancellationToken.None);

        Assert.That((byOne, byTwo), Is.EqualTo((new[] { 0, 1, 2 }, Array.Empty<int>())));
    }

    [Test]
    public async Task ClaimSeats_ClaimOfADispatcherThatStopped_IsTakenOverOnceStale()
    {
        await TestLedgers.StoreAsync(store, Seated(1));
        var ledger = await BatchLedger.RequireAsync(store, "sweep", "sweep", CancellationToken.None);
        var stale = TimeSpan.FromMinutes(15);
        await ledger.ChangeAsync(d => d.ClaimSeats([0], new LaunchClaim("gone", time.GetUtcNow()), stale, _ => false), CancellationToken.None);

        var soon = await ledger.ChangeAsync(d => d.ClaimSeats([0], new LaunchClaim("next", time.GetUtcNow() + TimeSpan.FromMinutes(14)), stale, _ => false), CancellationToken.None);
        var later = await ledger.ChangeAsync(d => d.ClaimSeats([0], new LaunchClaim("next", time.GetUtcNow() + TimeSpan.FromMinutes(16)), stale, _ => false), CancellationToken.None);

        Assert.That((soon.Count, later.Count), Is.EqualTo((0, 1)));
    }

    [Test]
    public async Task ClaimSeats_ClaimOfAProcessOfThisMachineThatIsGone_IsTakenOverAtOnce()
    {
        await TestLedgers.StoreAsync(store, Seated(1));
        var ledger = await BatchLedger.RequireAsync(store, "sweep", "sweep", CancellationToken.None);
        using var gone = System.Diagnostics.Process.Start("true")!;
        await gone.WaitForExitAsync();
        await ledger.ChangeAsync(d => d.ClaimSeats([0], new LaunchClaim("killed", time.GetUtcNow(), Environment.MachineName, gone.Id), TimeSpan.FromMinutes(15), _ => false), CancellationToken.None);

        var retaken = await ledger.ChangeAsync(d => d.ClaimSeats([0], Dispatcher.Current.Claim(time.GetUtcNow()), TimeSpan.FromMinutes(15), Dispatcher.IsGone), CancellationToken.None);

        Assert.That(retaken, Is.EqualTo(new[] { 0 }), "a dispatch killed mid-launch and run again launches at once");
    }

    [Test]
    public async Task Vacated_SeatAnotherDispatcherFilledAgainAlready_IsLeftAlone()
    {
        await TestLedgers.StoreAsync(store, Seated(1).Launched([Instance(0, "i-0")]));
        var one = await BatchLedger.RequireAsync(store, "sweep", "sweep", CancellationToken.None);
        var two = await BatchLedger.RequireAsync(store, "sweep", "sweep", CancellationToken.None);

        var byOne = await one.ChangeAsync(d => d.Vacated([(0, "i-0", false)], 2), CancellationToken.None);
        var byTwo = await two.ChangeAsync(d => d.Vacated([(0, "i-0", false)], 2), CancellationToken.None);

        Assert.That((byOne.Count, byTwo.Count), Is.EqualTo((1, 0)));
        Assert.That((two.Document.Seats[0].Node, two.Document.Seats[0].Gone), Is.EqualTo(((string?)null, new[] { "i-0" })));
    }

    [Test]
    public async Task TakenDown_NothingIsClaimedOrVacatedAfter()
    {
        await TestLedgers.StoreAsync(store, Seated(2).Launched([Instance(1, "i-1")]));
        var ledger = await BatchLedger.RequireAsync(store, "sweep", "sweep", CancellationToken.None);

        await ledger.ChangeAsync(d => d.TakenDown(time.GetUtcNow()), CancellationToken.None);
        var claimed = await ledger.ChangeAsync(d => d.ClaimSeats([0, 1], new LaunchClaim("late", time.GetUtcNow()), TimeSpan.FromMinutes(15), _ => false), CancellationToken.None);
        var vacated = await ledger.ChangeAsync(d => d.Vacated([(1, "i-1", false)], 2), CancellationToken.None);

        Assert.That((claimed.Count, vacated.Count), Is.EqualTo((0, 0)));
        Assert.That(ledger.Document.DownAt, Is.Not.Null);
    }

    private static LedgerDocument Seated(int rows) =>
        TestLedgers.Rows("sweep", rows).Seated(Enumerable.Range(0, rows).Select(i => (i, "c5.large")).ToList());

    private AwsRunner.Core.Cloud.NodeInstance Instance(int seat, string id) =>
        new("sweep", seat, id, "c5.large", AwsRunner.Core.Cloud.InstanceState.Pending, null, time.GetUtcNow());
}
