using System.Text.Json;
using System.Text.Json.Serialization;
using AwsRunner.Core.Cloud;
using AwsRunner.Core.Dispatch;
using AwsRunner.Core.Jobs;

namespace AwsRunner.Core.Ledger;

/// <summary>
/// The batch's state as the bucket keeps it (<c>NAME/ledger.json</c>): its rows with their attempts, its nodes, what
/// it was created with and whether it was taken down. It changes only through the transitions below, each a pure
/// function of the document, so that <see cref="BatchLedger"/> can apply one again to a newer copy when another
/// dispatcher wrote first.
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

    public IReadOnlyList<LedgerNode> Nodes { get; init; } = [];

    /// <summary>The nodes by id.</summary>
    public Dictionary<string, LedgerNode> NodesById() => Nodes.ToDictionary(n => n.Id, StringComparer.Ordinal);

    /// <summary>How many attempts a row has had in this run of the batch.</summary>
    public int AttemptsThisRun(LedgerRow row) => row.Attempts.Count(a => a.Run == Run);

    public byte[] ToBytes() => JsonSerializer.SerializeToUtf8Bytes(this, Json);

    /// <summary>A new batch: every row on its first attempt.</summary>
    public static LedgerDocument Create(BatchPlan plan, string cloud, BatchSettings settings, DateTimeOffset now) => new()
    {
        Name = plan.Name,
        Cloud = cloud,
        ImageId = plan.ImageId,
        CreatedAt = now,
        Settings = settings,
        Secrets = plan.SecretNames,
        Rows = plan.Jobs.Rows.Select(r => NewRow(r, [new LedgerAttempt { Number = 1 }])).ToList(),
    };

    /// <summary>
    /// The batch taken down and dispatched again: a new run whose rows start on a new attempt each, numbered on from
    /// the ones before so that no result of the earlier run is written over.
    /// </summary>
    public LedgerDocument Restarted(BatchPlan plan, BatchSettings settings, DateTimeOffset now)
    {
        var run = Run + 1;
        return this with
        {
            CreatedAt = now,
            Settings = settings,
            Secrets = plan.SecretNames,
            Run = run,
            DownAt = null,
            Rows = plan.Jobs.Rows.Select(r =>
            {
                var earlier = Rows.ElementAtOrDefault(r.Index)?.Attempts ?? [];
                return NewRow(r, [.. earlier, new LedgerAttempt { Number = earlier.Count + 1, Run = run }]);
            }).ToList(),
        };
    }

    /// <summary>
    /// Claims the launch of each given row whose current attempt has no node and no live claim of another dispatcher.
    /// Nothing is claimed once the batch is down.
    /// </summary>
    public (LedgerDocument Next, IReadOnlyList<int> Claimed) ClaimLaunches(IEnumerable<int> rows, LaunchClaim claim, TimeSpan stale, Func<LaunchClaim, bool> abandoned)
    {
        var (by, now) = (claim.By, claim.At);
        if (DownAt is not null)
        {
            return (this, []);
        }

        var claimed = rows.Distinct().Order().Where(i => Rows[i].Current is { Node: null, Ended: null } a
            && (a.Claim is null || a.Claim.By == by || now - a.Claim.At > stale || abandoned(a.Claim))).ToList();
        if (claimed.Count == 0)
        {
            return (this, claimed);
        }

        var set = claimed.ToHashSet();
        return (this with
        {
            Rows = Rows.Select(r => set.Contains(r.Index) ? r.WithCurrent(r.Current with { Claim = claim }) : r).ToList(),
        }, claimed);
    }

    /// <summary>Gives up claims this dispatcher did not use (its launch failed or was cancelled).</summary>
    public LedgerDocument Unclaimed(IEnumerable<int> rows, string by)
    {
        var set = rows.ToHashSet();
        return Changed(Rows.Select(r => set.Contains(r.Index) && r.Current is { Node: null, Claim: { } claim } && claim.By == by
            ? r.WithCurrent(r.Current with { Claim = null })
            : r));
    }

    /// <summary>Each node's row now runs its current attempt on it.</summary>
    public LedgerDocument Launched(IReadOnlyList<NodeInstance> nodes)
    {
        var byRow = nodes.ToDictionary(n => n.JobIndex);
        var known = NodesById();
        return this with
        {
            Rows = Rows.Select(r => byRow.TryGetValue(r.Index, out var node) && r.Current.Ended is null
                ? r.WithCurrent(r.Current with { Node = node.InstanceId, Claim = null })
                : r).ToList(),
            Nodes = [.. Nodes, .. nodes.Where(n => !known.ContainsKey(n.InstanceId)).Select(n => new LedgerNode
            {
                Id = n.InstanceId,
                InstanceType = n.InstanceType,
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

    /// <summary>Each attempt's command was handed to its node (the first time counts).</summary>
    public LedgerDocument Dispatched(IReadOnlyCollection<(int Row, int Attempt)> started, DateTimeOffset at, IReadOnlyList<string> secrets)
    {
        var set = started.ToHashSet();
        var rows = Rows.Select(r => set.Contains((r.Index, r.Current.Number)) && r.Current.DispatchedAt is null
            ? r.WithCurrent(r.Current with { DispatchedAt = at })
            : r).ToList();
        return secrets.SequenceEqual(Secrets) && rows.SequenceEqual(Rows) ? this : this with { Rows = rows, Secrets = secrets };
    }

    /// <summary>The attempts a dispatcher saw end for good (their status.json is in), so that the ledger says so too.</summary>
    public LedgerDocument Finished(IReadOnlyList<(int Row, int Attempt, JobState State, int? ExitCode)> ended)
    {
        var byRow = ended.Where(e => e.State.IsFinal()).ToDictionary(e => e.Row);
        return Changed(Rows.Select(r => byRow.TryGetValue(r.Index, out var e) && r.Current.Number == e.Attempt && r.Current.Ended is null
            ? r.WithCurrent(r.Current with { Ended = e.State.ToName(), ExitCode = e.ExitCode })
            : r));
    }

    /// <summary>
    /// Ends each row's attempt as it was seen to end and opens the next, on demand once its spot instances were taken back
    /// <paramref name="spotFallbackAfter"/> times. A row another dispatcher moved on already is left alone.
    /// </summary>
    public (LedgerDocument Next, IReadOnlyList<int> Advanced) Retried(
        IReadOnlyList<(int Row, int FromAttempt, JobState Ended, int? ExitCode)> due, int spotFallbackAfter)
    {
        if (DownAt is not null)
        {
            return (this, []);
        }

        var nodes = NodesById();
        var byRow = due.ToDictionary(d => d.Row);
        var advanced = new List<int>();
        var rows = Rows.Select(r =>
        {
            if (!byRow.TryGetValue(r.Index, out var d) || r.Current.Number != d.FromAttempt
                || (r.Current.Ended is { } ended && ended != d.Ended.ToName()))
            {
                return r;
            }

            advanced.Add(r.Index);
            var attempts = r.Attempts.Take(r.Attempts.Count - 1)
                .Append(r.Current with { Ended = d.Ended.ToName(), ExitCode = d.ExitCode, Claim = null })
                .ToList();
            // A spot node lost without a word was most likely taken back before its runner could say so.
            var preemptions = attempts.Count(a => a.Ended == JobState.Preempted.ToName()
                || (a.Ended == JobState.Lost.ToName() && a.Node is { } id && nodes.GetValueOrDefault(id)?.Spot == true));
            return r with
            {
                OnDemand = r.OnDemand || preemptions >= spotFallbackAfter,
                Attempts = [.. attempts, new LedgerAttempt { Number = attempts.Count + 1, Run = Run }],
            };
        }).ToList();
        return advanced.Count == 0 ? (this, advanced) : (this with { Rows = rows }, advanced);
    }

    /// <summary>The batch is taken down: every attempt still open ends so, and nothing is launched for it any more.</summary>
    public LedgerDocument TakenDown(DateTimeOffset at) => this with
    {
        DownAt = DownAt ?? at,
        Rows = Rows.Select(r => r.Current.Ended is null ? r.WithCurrent(r.Current with { Ended = JobState.TakenDown.ToName(), Claim = null }) : r).ToList(),
    };

    private LedgerDocument Changed(IEnumerable<LedgerRow> rows)
    {
        var list = rows.ToList();
        return list.SequenceEqual(Rows) ? this : this with { Rows = list };
    }

    private static LedgerRow NewRow(JobRow row, IReadOnlyList<LedgerAttempt> attempts) => new()
    {
        Index = row.Index,
        Line = row.Line,
        InstanceType = row.InstanceType,
        Command = row.Command,
        Variables = row.Variables.ToDictionary(v => v.Key, v => v.Value, StringComparer.Ordinal),
        Attempts = attempts,
    };
}
