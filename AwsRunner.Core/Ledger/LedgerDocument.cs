using System.Text.Json;
using System.Text.Json.Serialization;
using AwsRunner.Core.Cloud;
using AwsRunner.Core.Dispatch;
using AwsRunner.Core.Jobs;

namespace AwsRunner.Core.Ledger;

/// <summary>
/// The batch's state as the bucket keeps it (<c>NAME/ledger.json.gz</c>): its rows and the attempt numbers each may
/// use, its seats and nodes, its queue, what it was created with and whether it was taken down. Which node took which
/// attempt and how it ended are the bucket's (the queue's claims and the jobs' objects), never copied here. It changes
/// only through the transitions below, each a pure function of the document, so that <see cref="BatchLedger"/> can
/// apply one again to a newer copy when another dispatcher wrote first.
/// </summary>
internal sealed record LedgerDocument
{
    /// <summary>The shape this awsrunner writes; a ledger of another shape is not read.</summary>
    public const int CurrentFormat = 1;

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        WriteIndented = false,
    };

    public int Format { get; init; } = CurrentFormat;

    public required string Name { get; init; }

    public required string Cloud { get; init; }

    public required string ImageId { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public required BatchSettings Settings { get; init; }

    /// <summary>The names of the secrets the jobs were given: never their values.</summary>
    public IReadOnlyList<string> Secrets { get; init; } = [];

    /// <summary>1, then one more each time the batch was started afresh after it was taken down.</summary>
    public int Run { get; init; } = 1;

    /// <summary>When the batch was taken down; null while it is not.</summary>
    public DateTimeOffset? DownAt { get; init; }

    public required IReadOnlyList<LedgerRow> Rows { get; init; }

    /// <summary>The places for nodes, by instance type: one node a seat.</summary>
    public IReadOnlyList<LedgerSeat> Seats { get; init; } = [];

    public IReadOnlyList<LedgerNode> Nodes { get; init; } = [];

    /// <summary>The run's published queue; null until the dispatch publishes it.</summary>
    public LedgerQueue? Queue { get; init; }

    /// <summary>The nodes by id.</summary>
    public Dictionary<string, LedgerNode> NodesById() => Nodes.ToDictionary(n => n.Id, StringComparer.Ordinal);

    public byte[] ToBytes() => JsonSerializer.SerializeToUtf8Bytes(this, Json);

    /// <summary>A new batch: every row before its first attempt, no seat, no queue.</summary>
    public static LedgerDocument Create(BatchPlan plan, string cloud, BatchSettings settings, DateTimeOffset now) => new()
    {
        Name = plan.Name,
        Cloud = cloud,
        ImageId = plan.ImageId,
        CreatedAt = now,
        Settings = settings,
        Secrets = plan.SecretNames,
        Rows = plan.Jobs.Rows.Select(r => NewRow(r, firstAttempt: 1)).ToList(),
    };

    /// <summary>
    /// The batch taken down and dispatched again: a new run, every row's attempts numbered on from the ones before so
    /// that no result of the earlier run is written over, the seats empty and the queue to be published again.
    /// </summary>
    public LedgerDocument Restarted(BatchPlan plan, BatchSettings settings, DateTimeOffset now) => this with
    {
        CreatedAt = now,
        Settings = settings,
        Secrets = plan.SecretNames,
        Run = Run + 1,
        DownAt = null,
        Queue = null,
        Rows = plan.Jobs.Rows.Select(r => NewRow(r, NextAttempt(Rows.ElementAtOrDefault(r.Index)))).ToList(),
        Seats = Seats.Select(s => s.Node is null ? s with { Claim = null } : s with { Node = null, Claim = null, Gone = [.. s.Gone, s.Node] }).ToList(),
    };

    /// <summary>Seats for the nodes a dispatch asks for, beside those the batch has; a seat is never taken away.</summary>
    public LedgerDocument Seated(IReadOnlyList<(int Row, string InstanceType)> seats)
    {
        var have = Seats.Select(s => s.Row).ToHashSet();
        var added = seats.Where(s => have.Add(s.Row)).Select(s => new LedgerSeat { Row = s.Row, InstanceType = s.InstanceType }).ToList();
        return added.Count == 0 ? this : this with { Seats = [.. Seats, .. added.OrderBy(s => s.Row)] };
    }

    /// <summary>
    /// The queue of this run is published: each given row may use <paramref name="attempts"/> attempts from its first
    /// of the run; the rows given anew attempts after theirs ran out (<paramref name="renewed"/>) start after their last.
    /// </summary>
    public LedgerDocument Published(LedgerQueue queue, int attempts, IReadOnlySet<int> renewed) => this with
    {
        Queue = queue,
        Rows = Rows.Select(r =>
        {
            var first = renewed.Contains(r.Index) ? NextAttempt(r) : r.FirstAttempt;
            return r.LastAttempt >= first ? r : r with { FirstAttempt = first, LastAttempt = first + attempts - 1 };
        }).ToList(),
    };

    /// <summary>
    /// Claims the launch of each given seat that has no node and no live claim of another dispatcher (one whose process
    /// is <paramref name="abandoned"/>, or past <paramref name="stale"/>, is no longer live). Nothing is claimed once the
    /// batch is down.
    /// </summary>
    public (LedgerDocument Next, IReadOnlyList<int> Claimed) ClaimSeats(IEnumerable<int> seats, LaunchClaim claim, TimeSpan stale, Func<LaunchClaim, bool> abandoned)
    {
        if (DownAt is not null)
        {
            return (this, []);
        }

        var wanted = seats.ToHashSet();
        var claimed = Seats.Where(s => wanted.Contains(s.Row) && s.Node is null
            && (s.Claim is null || s.Claim.By == claim.By || claim.At - s.Claim.At > stale || abandoned(s.Claim))).Select(s => s.Row).ToList();
        if (claimed.Count == 0)
        {
            return (this, claimed);
        }

        var set = claimed.ToHashSet();
        return (this with { Seats = Seats.Select(s => set.Contains(s.Row) ? s with { Claim = claim } : s).ToList() }, claimed);
    }

    /// <summary>Gives up claims this dispatcher did not use (its launch failed or was stopped).</summary>
    public LedgerDocument Unclaimed(IEnumerable<int> seats, string by)
    {
        var set = seats.ToHashSet();
        var changed = Seats.Select(s => set.Contains(s.Row) && s is { Node: null, Claim: { } claim } && claim.By == by ? s with { Claim = null } : s).ToList();
        return changed.SequenceEqual(Seats) ? this : this with { Seats = changed };
    }

    /// <summary>Each node now fills its seat (the row the cloud tagged it with).</summary>
    public LedgerDocument Launched(IReadOnlyList<NodeInstance> nodes)
    {
        var bySeat = nodes.GroupBy(n => n.JobIndex).ToDictionary(g => g.Key, g => g.First());
        var known = NodesById();
        return this with
        {
            Seats = Seats.Select(s => bySeat.TryGetValue(s.Row, out var node)
                ? s with { Node = node.InstanceId, Claim = null, Gone = s.Node is { } old && old != node.InstanceId ? [.. s.Gone, old] : s.Gone }
                : s).ToList(),
            Nodes = [.. Nodes, .. nodes.Where(n => !known.ContainsKey(n.InstanceId)).Select(n => new LedgerNode
            {
                Id = n.InstanceId,
                InstanceType = n.InstanceType,
                Seat = n.JobIndex,
                LaunchedAt = n.LaunchTime,
                Spot = n.Spot,
            })],
        };
    }

    /// <summary>How each node's install ended (ready, install-failed or unreachable), and the runner it was given.</summary>
    public LedgerDocument Installed(IReadOnlyList<(string Node, JobState Install, int? ExitCode)> installs, int runnerVersion)
    {
        var ended = installs.ToDictionary(i => i.Node, StringComparer.Ordinal);
        return this with
        {
            Nodes = Nodes.Select(n => ended.TryGetValue(n.Id, out var i)
                ? n with { Install = i.Install.ToName(), InstallExitCode = i.ExitCode, RunnerVersion = n.RunnerVersion ?? runnerVersion }
                : n).ToList(),
        };
    }

    /// <summary>Each node was handed the queue and works through it (the first time counts).</summary>
    public LedgerDocument Working(IReadOnlyCollection<string> nodes, DateTimeOffset at, IReadOnlyList<string> secrets)
    {
        var set = nodes.ToHashSet(StringComparer.Ordinal);
        var changed = Nodes.Select(n => set.Contains(n.Id) && n.WorkingAt is null ? n with { WorkingAt = at } : n).ToList();
        return changed.SequenceEqual(Nodes) && secrets.SequenceEqual(Secrets) ? this : this with { Nodes = changed, Secrets = secrets };
    }

    /// <summary>The nodes a dispatcher gives up on as hung, before it terminates them: their attempts ended hung, not lost.</summary>
    public LedgerDocument GivenUp(IReadOnlyCollection<string> nodes, DateTimeOffset at)
    {
        var set = nodes.ToHashSet(StringComparer.Ordinal);
        var changed = Nodes.Select(n => set.Contains(n.Id) && n.GivenUpAt is null ? n with { GivenUpAt = at } : n).ToList();
        return changed.SequenceEqual(Nodes) ? this : this with { Nodes = changed };
    }

    /// <summary>
    /// Each seat loses its node (lost, taken back, given up on), so that a node can be launched for it again; on demand
    /// once <paramref name="spotFallbackAfter"/> of its spot nodes were taken back. A seat whose node another dispatcher
    /// replaced already is left alone.
    /// </summary>
    public (LedgerDocument Next, IReadOnlyList<int> Vacated) Vacated(IReadOnlyList<(int Seat, string Node, bool TakenBack)> gone, int spotFallbackAfter)
    {
        if (DownAt is not null)
        {
            return (this, []);
        }

        var bySeat = gone.GroupBy(g => g.Seat).ToDictionary(g => g.Key, g => g.First());
        var vacated = new List<int>();
        var seats = Seats.Select(s =>
        {
            if (!bySeat.TryGetValue(s.Row, out var g) || s.Node != g.Node)
            {
                return s;
            }

            vacated.Add(s.Row);
            var takenBack = TakenBack(s) + (g.TakenBack ? 1 : 0);
            return s with { Node = null, Claim = null, Gone = [.. s.Gone, g.Node], OnDemand = s.OnDemand || takenBack >= spotFallbackAfter };
        }).ToList();
        return vacated.Count == 0 ? (this, vacated) : (this with { Seats = seats }, vacated);
    }

    /// <summary>The batch is taken down: nothing is launched or handed out for it any more.</summary>
    public LedgerDocument TakenDown(DateTimeOffset at) => DownAt is not null ? this : this with { DownAt = at, Seats = Seats.Select(s => s with { Claim = null }).ToList() };

    // How many of the seat's spot nodes were taken back: counted by the ledger's nodes that were spot and are gone.
    private int TakenBack(LedgerSeat seat)
    {
        var nodes = NodesById();
        return seat.Gone.Count(id => nodes.GetValueOrDefault(id)?.Spot == true);
    }

    private static int NextAttempt(LedgerRow? row) => row is null ? 1 : Math.Max(row.FirstAttempt, row.LastAttempt + 1);

    private static LedgerRow NewRow(JobRow row, int firstAttempt) => new()
    {
        Index = row.Index,
        Line = row.Line,
        InstanceType = row.InstanceType,
        Command = row.Command,
        Variables = row.Variables.ToDictionary(v => v.Key, v => v.Value, StringComparer.Ordinal),
        FirstAttempt = firstAttempt,
    };
}
