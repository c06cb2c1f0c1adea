using System.Collections.Concurrent;
using System.Text.Json;
using AwsRunner.Core.Cloud;
using AwsRunner.Core.Ledger;

namespace AwsRunner.Core.Dispatch;

/// <summary>
/// Where every row and node of a batch stands: the ledger (rows, their attempt numbers, seats and nodes), one
/// DescribeInstances-style call for the whole batch, and one listing of the queue's claims, heartbeats and ends and
/// one of the jobs' objects. Which node took which attempt and how it ended is the bucket's to say. status.json never
/// changes once written, so each is read once and kept on disk (a copy that does not parse is read again); a
/// heartbeat is read only while its attempt runs, and only when the listing shows a new ETag for it.
/// </summary>
internal sealed class StatusReader(CloudConnection connection, string home)
{
    private const int Parallelism = 16;

    private readonly ConcurrentDictionary<string, (string ETag, HeartbeatDocument? Document)> heartbeats = new();

    // The status.json documents this reader has parsed, by their cached copy's name (row and ETag): a wait looks every
    // few seconds, and reading and parsing every finished row's copy again at each look grew with the rows done.
    private readonly ConcurrentDictionary<string, StatusDocument> statuses = new(StringComparer.Ordinal);

    public async Task<BatchStatus> ReadAsync(BatchLedger ledger, CancellationToken cancellationToken)
    {
        var (name, bucket, document) = (ledger.Name, ledger.Bucket, ledger.Document);
        var instances = (await connection.Cloud.DescribeAsync(name, cancellationToken).ConfigureAwait(false))
            .ToDictionary(n => n.InstanceId, StringComparer.Ordinal);
        var queued = (await connection.Results.ListAsync(bucket, ResultKeys.QueueRows(name), cancellationToken).ConfigureAwait(false))
            .Select(o => ResultKeys.TryParseQueueKey(name, o.Key, out var index, out var attempt, out var kind) ? (index, attempt, kind, o) : default)
            .Where(x => x.o is not null)
            .ToLookup(x => x.index, x => (Attempt: x.attempt, Kind: x.kind, Object: x.o));
        var jobs = (await connection.Results.ListAsync(bucket, ResultKeys.Jobs(name), cancellationToken).ConfigureAwait(false))
            .Select(o => ResultKeys.TryParseJobKey(name, o.Key, out var index, out var file) && ResultKeys.TryParseAttempt(file, out var attempt, out var kind)
                ? (index, attempt, kind, o)
                : default)
            .Where(x => x.o is not null)
            .ToLookup(x => (x.index, x.attempt), x => (Kind: x.kind, Object: x.o));
        var now = await connection.Results.ServerNowAsync(bucket, cancellationToken).ConfigureAwait(false);
        var context = new Context(ledger, instances, queued, jobs, now, Dead(document, instances));

        var rows = new JobStatus[document.Rows.Count];
        await Parallel.ForEachAsync(document.Rows, new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken }, async (row, token) =>
            rows[row.Index] = await RowAsync(context, row, token).ConfigureAwait(false)).ConfigureAwait(false);

        return new BatchStatus
        {
            Name = name,
            Bucket = bucket,
            Cloud = document.Cloud,
            CreatedAt = document.CreatedAt,
            ReadAt = now,
            Jobs = rows,
            Nodes = Nodes(document, instances, rows),
            Overstaying = Overstays.Find(document, instances.Values, rows, ResultTimes(rows, jobs), now),
            TakenDownAt = document.DownAt,
        };
    }

    private async Task<JobStatus> RowAsync(Context context, LedgerRow row, CancellationToken cancellationToken)
    {
        var document = context.Ledger.Document;
        var claims = context.Queued[row.Index].Where(x => x.Kind == "claim").ToDictionary(x => x.Attempt, x => x.Object);
        var current = row.Attempts.Where(claims.ContainsKey).DefaultIfEmpty().Max();
        var earlier = claims.Keys.Where(a => a < (current == 0 ? row.FirstAttempt : current)).Order().ToList();
        var history = new List<JobAttempt>();
        foreach (var attempt in earlier)
        {
            var ended = await AttemptAsync(context, row, attempt, claims[attempt], cancellationToken).ConfigureAwait(false);
            // An attempt that is not over went on past its lease: another was claimed after it, so it counts as lost.
            history.Add(new JobAttempt
            {
                Attempt = attempt,
                State = HowItEnded(context, ended.State.IsFinal() ? ended : new JobStatus(ended) { State = JobState.Lost }),
                ExitCode = ended.ExitCode,
                InstanceId = ended.InstanceId,
                Spot = ended.InstanceId is { } id && context.Instances.GetValueOrDefault(id)?.Spot == true,
            });
        }

        JobStatus status;
        if (current == 0)
        {
            status = new JobStatus
            {
                Index = row.Index,
                InstanceType = row.InstanceType,
                State = document.Queue is null ? JobState.Pending
                    : context.Dead.TryGetValue(row.InstanceType, out var failure) ? failure
                    : JobState.Queued,
                Attempt = Math.Max(row.FirstAttempt, 1),
            };
        }
        else
        {
            status = await AttemptAsync(context, row, current, claims[current], cancellationToken).ConfigureAwait(false);
            // The nodes claim the next attempt of one that ended in a way worth it, when the row has one left: the row
            // waits for a node. A hung attempt stays what it is until a node claims the next one (its lease lapsed).
            if (current < row.LastAttempt && status.State.IsFinal() && status.State.IsRetryable(status.ExitCode, document.Queue?.RetryOnExit ?? []))
            {
                history.Add(new JobAttempt
                {
                    Attempt = current,
                    State = HowItEnded(context, status),
                    ExitCode = status.ExitCode,
                    InstanceId = status.InstanceId,
                    Spot = status.InstanceId is { } id && context.Instances.GetValueOrDefault(id)?.Spot == true,
                });
                status = new JobStatus
                {
                    Index = row.Index,
                    InstanceType = row.InstanceType,
                    State = context.Dead.TryGetValue(row.InstanceType, out var failure) ? failure : JobState.Queued,
                    Attempt = current + 1,
                };
            }
        }

        if (document.DownAt is not null && !status.State.IsFinal())
        {
            status = new JobStatus(status) { State = JobState.TakenDown };
        }

        return new JobStatus(status) { EarlierAttempts = history };
    }

    // An attempt lost with its node, when a dispatcher gave up on that node as hung and terminated it: it had hung.
    private static JobState HowItEnded(Context context, JobStatus ended) =>
        ended.State == JobState.Lost && ended.InstanceId is { } id && context.Ledger.Document.Nodes.FirstOrDefault(n => n.Id == id)?.GivenUpAt is not null
            ? JobState.Hung
            : ended.State;

    /// <summary>Where one claimed attempt stands: its status.json once it has one, else its heartbeat and its node's instance.</summary>
    private async Task<JobStatus> AttemptAsync(Context context, LedgerRow row, int attempt, StoredObject claim, CancellationToken cancellationToken)
    {
        var files = context.Jobs[(row.Index, attempt)].ToDictionary(x => x.Kind, x => x.Object, StringComparer.Ordinal);
        var queue = context.Queued[row.Index].Where(x => x.Attempt == attempt).ToDictionary(x => x.Kind, x => x.Object, StringComparer.Ordinal);
        var beat = queue.GetValueOrDefault(ResultKeys.Heartbeat);
        var status = new JobStatus { Index = row.Index, InstanceType = row.InstanceType, State = JobState.Starting, Attempt = attempt, LastHeartbeat = beat?.LastModified };
        if (files.TryGetValue(ResultKeys.Status, out var statusObject)
            && await ReadStatusAsync(context.Ledger, row.Index, statusObject, cancellationToken).ConfigureAwait(false) is { } done)
        {
            var instance = done.Node is { } id ? context.Instances.GetValueOrDefault(id) : null;
            return done.Unreadable
                ? new JobStatus(status) { State = JobState.Unreadable, UnreadableStatus = connection.Results.Describe(context.Ledger.Bucket, statusObject.Key) }
                : new JobStatus(status)
                {
                    InstanceId = done.Node,
                    Instance = instance?.State,
                    SpotRefusal = instance?.SpotRefusal,
                    State = done.Outcome,
                    ExitCode = done.ExitCode,
                    Started = done.Started,
                    Finished = done.Finished,
                    Elapsed = done.Finished - done.Started,
                };
        }

        var heartbeat = beat is null ? null : await ReadHeartbeatAsync(context.Ledger.Bucket, beat, cancellationToken).ConfigureAwait(false);
        var node = heartbeat?.Node is { } nodeId ? context.Instances.GetValueOrDefault(nodeId) : null;
        var started = DateTimeOffset.TryParse(heartbeat?.Started, out var s) ? s : (DateTimeOffset?)null;
        status = new JobStatus(status)
        {
            InstanceId = heartbeat?.Node,
            Instance = node?.State,
            SpotRefusal = node?.SpotRefusal,
            Started = started,
            Progress = string.IsNullOrEmpty(heartbeat?.Progress) ? null : heartbeat.Progress,
            Elapsed = context.Now - started,
            UploadError = string.IsNullOrWhiteSpace(heartbeat?.UploadError) ? null : heartbeat.UploadError.Trim(),
            PowerOffError = string.IsNullOrWhiteSpace(heartbeat?.PoweroffError) ? null : heartbeat.PoweroffError.Trim(),
        };

        // The lease: the last beat, or the claim before the first one, on the bucket's clock. A node that says
        // upload-failed is judged as any other: it holds its results only while it is up and beating.
        var silent = context.Now - (beat ?? claim).LastModified > Heartbeats.HungAfter(context.Ledger.Document.Settings.HeartbeatSeconds);
        var gone = heartbeat?.Node is not null && node is null or { State: InstanceState.Terminated or InstanceState.ShuttingDown or InstanceState.Stopped or InstanceState.Stopping };
        return new JobStatus(status)
        {
            // A node that is gone runs nothing on, however fresh its last beat.
            State = gone ? JobState.Lost
                : !silent ? (heartbeat?.State is { } word ? JobStates.FromRunner(word) : JobState.Starting)
                : heartbeat?.Node is null ? JobState.Lost
                : JobState.Hung,
        };
    }

    /// <summary>
    /// The instance types whose rows no node will ever take: no node of the type is up, and every seat of it lost its
    /// node to a failed install or an answer that never came, which a wait does not retry. Their rows end so.
    /// </summary>
    private static Dictionary<string, JobState> Dead(LedgerDocument document, IReadOnlyDictionary<string, NodeInstance> instances)
    {
        var nodes = document.NodesById();
        return document.Seats.GroupBy(s => s.InstanceType).Select(g =>
        {
            var ends = g.Select(s => s.Node is { } id && nodes.GetValueOrDefault(id) is { } node
                && instances.GetValueOrDefault(id)?.State is not (InstanceState.Pending or InstanceState.Running)
                && JobStates.TryParse(node.Install, out var install) && install.IsFinal()
                    ? install
                    : (JobState?)null).ToList();
            return (Type: g.Key, Failure: ends.All(e => e is not null) ? ends[0] : null);
        }).Where(t => t.Failure is not null).ToDictionary(t => t.Type, t => t.Failure!.Value, StringComparer.Ordinal);
    }

    private static List<NodeStatus> Nodes(LedgerDocument document, IReadOnlyDictionary<string, NodeInstance> instances, IReadOnlyList<JobStatus> rows)
    {
        var running = rows.Where(r => r.InstanceId is not null && r.State.IsStarted() && !r.State.IsFinal()).ToLookup(r => r.InstanceId!, r => r.Index, StringComparer.Ordinal);
        var finished = rows.SelectMany(r => r.EarlierAttempts.Select(a => (a.InstanceId, a.State)).Append((r.InstanceId, r.State)))
            .Where(a => a.InstanceId is not null && a.State.HasOutcome())
            .GroupBy(a => a.InstanceId!, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        return document.Nodes.Select(n => new NodeStatus
        {
            InstanceId = n.Id,
            InstanceType = n.InstanceType,
            Instance = instances.GetValueOrDefault(n.Id)?.State,
            Install = JobStates.TryParse(n.Install, out var install) ? install : null,
            Working = n.WorkingAt is not null,
            Running = running[n.Id].Order().ToList(),
            Finished = finished.GetValueOrDefault(n.Id),
            Spot = n.Spot,
        }).ToList();
    }

    /// <summary>When each row's result came in, on the bucket's clock: its current attempt's status.json.</summary>
    private static Dictionary<int, DateTimeOffset> ResultTimes(IReadOnlyList<JobStatus> rows, ILookup<(int, int), (string Kind, StoredObject Object)> jobs) =>
        rows.Select(r => (r.Index, At: jobs[(r.Index, r.Attempt)].Where(x => x.Kind == ResultKeys.Status).Select(x => (DateTimeOffset?)x.Object.LastModified).FirstOrDefault()))
            .Where(r => r.At is not null)
            .ToDictionary(r => r.Index, r => r.At!.Value);

    /// <summary>
    /// A status.json, from this machine's copy when it has a good one. The copy is written aside and renamed in, so
    /// that it is whole or absent; one that is not whole all the same is read again from the bucket.
    /// </summary>
    private async Task<StatusDocument?> ReadStatusAsync(BatchLedger ledger, int index, StoredObject stored, CancellationToken cancellationToken)
    {
        var cache = Path.Combine(AwsRunnerHome.BatchFolder(home, ledger.Name), "cache", $"{index:D4}.{Sanitize(stored.ETag)}.status.json");
        if (statuses.TryGetValue(cache, out var read))
        {
            return read;
        }

        if (File.Exists(cache) && Parse<StatusDocument>(await File.ReadAllBytesAsync(cache, cancellationToken).ConfigureAwait(false)) is { } kept)
        {
            statuses[cache] = kept;
            return kept;
        }

        var bytes = await connection.Results.GetAsync(ledger.Bucket, stored.Key, cancellationToken).ConfigureAwait(false);
        if (bytes is null)
        {
            return null;
        }

        // A status.json that does not parse stays so (the runner writes it whole, in one PUT or a rename): it is not
        // kept here, and says Unreadable.
        var document = StatusDocument.Read(bytes);
        if (!document.Unreadable)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(cache)!);
            var temporary = cache + "." + Environment.ProcessId + ".tmp";
            await File.WriteAllBytesAsync(temporary, bytes, cancellationToken).ConfigureAwait(false);
            File.Move(temporary, cache, overwrite: true);
            statuses[cache] = document;
        }

        return document;
    }

    private async Task<HeartbeatDocument?> ReadHeartbeatAsync(string bucket, StoredObject stored, CancellationToken cancellationToken)
    {
        if (heartbeats.TryGetValue(stored.Key, out var known) && known.ETag == stored.ETag)
        {
            return known.Document;
        }

        var bytes = await connection.Results.GetAsync(bucket, stored.Key, cancellationToken).ConfigureAwait(false);
        var document = bytes is null ? null : Parse<HeartbeatDocument>(bytes);
        heartbeats[stored.Key] = (stored.ETag, document);
        return document;
    }

    // A node may be halfway through writing an object; a document that does not parse is not there yet.
    private static T? Parse<T>(byte[] bytes)
        where T : class
    {
        try
        {
            return JsonSerializer.Deserialize<T>(bytes, LedgerDocument.Json);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string Sanitize(string etag) => new(etag.Where(char.IsAsciiLetterOrDigit).ToArray());

    private sealed record Context(
        BatchLedger Ledger,
        IReadOnlyDictionary<string, NodeInstance> Instances,
        ILookup<int, (int Attempt, string Kind, StoredObject Object)> Queued,
        ILookup<(int, int), (string Kind, StoredObject Object)> Jobs,
        DateTimeOffset Now,
        IReadOnlyDictionary<string, JobState> Dead);
}
