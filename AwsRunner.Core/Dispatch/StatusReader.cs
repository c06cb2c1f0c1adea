using System.Collections.Concurrent;
using System.Text.Json;
using AwsRunner.Core.Cloud;
using AwsRunner.Core.Ledger;

namespace AwsRunner.Core.Dispatch;

/// <summary>
/// Merges the ledger with one DescribeInstances-style call for the whole batch and one listing of its bucket prefix.
/// status.json never changes once written, so each is read once and kept on disk (a copy that does not parse is read
/// again); a heartbeat is read only when the listing shows a new ETag for it.
/// </summary>
internal sealed class StatusReader(CloudConnection connection, string home)
{
    private readonly ConcurrentDictionary<string, (string ETag, HeartbeatDocument? Document)> heartbeats = new();

    public async Task<BatchStatus> ReadAsync(BatchLedger ledger, CancellationToken cancellationToken)
    {
        var document = ledger.Document;
        var instances = (await connection.Cloud.DescribeAsync(ledger.Name, cancellationToken).ConfigureAwait(false))
            .ToDictionary(n => n.InstanceId, StringComparer.Ordinal);
        var objects = (await connection.Results.ListAsync(ledger.Bucket, ResultKeys.Jobs(ledger.Name), cancellationToken).ConfigureAwait(false))
            .Select(o => ResultKeys.TryParseJobKey(ledger.Name, o.Key, out var index, out var file) && ResultKeys.TryParseAttempt(file, out var attempt, out var name)
                ? (index, attempt, name, o)
                : default)
            .Where(x => x.o is not null)
            .ToLookup(x => (x.index, x.attempt), x => (x.name, x.o));

        var now = await connection.Results.ServerNowAsync(ledger.Bucket, cancellationToken).ConfigureAwait(false);
        var nodes = document.NodesById();
        var jobs = new JobStatus[document.Rows.Count];
        await Parallel.ForEachAsync(document.Rows, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = cancellationToken }, async (row, token) =>
        {
            var files = objects[(row.Index, row.Current.Number)].ToDictionary(x => x.name, x => x.o, StringComparer.Ordinal);
            var instance = row.Current.Node is { } id ? instances.GetValueOrDefault(id) : null;
            var job = await MergeAsync(ledger, row, instance, files, now, token).ConfigureAwait(false);
            jobs[row.Index] = job with
            {
                Attempt = row.Current.Number,
                EarlierAttempts = row.Earlier.Select(a => new JobAttempt(
                    a.Number,
                    JobStates.TryParse(a.Ended, out var ended) ? ended : JobState.Lost,
                    a.ExitCode,
                    a.Node,
                    a.Node is { } node && nodes.GetValueOrDefault(node)?.Spot == true)).ToList(),
            };
        }).ConfigureAwait(false);
        return new BatchStatus(ledger.Name, ledger.Bucket, document.Cloud, document.CreatedAt, now, jobs)
        {
            Overstaying = Overstays.Find(document, instances.Values, ResultTimes(objects), now),
            TakenDownAt = document.DownAt,
        };
    }

    private async Task<JobStatus> MergeAsync(
        BatchLedger ledger, LedgerRow row, NodeInstance? instance, Dictionary<string, StoredObject> files, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var attempt = row.Current;
        var status = new JobStatus(row.Index, row.InstanceType, attempt.Node, instance?.State, JobState.Pending, SpotRefusal: instance?.SpotRefusal);
        if (files.TryGetValue(ResultKeys.Status, out var statusObject)
            && await ReadStatusAsync(ledger, row.Index, statusObject, cancellationToken).ConfigureAwait(false) is { } done)
        {
            if (done.Unreadable)
            {
                return status with
                {
                    State = JobState.Unreadable,
                    LastHeartbeat = files.GetValueOrDefault(ResultKeys.Heartbeat)?.LastModified,
                    UnreadableStatus = connection.Results.Describe(ledger.Bucket, statusObject.Key),
                };
            }

            return status with
            {
                State = done.Outcome,
                ExitCode = done.ExitCode,
                Started = done.Started,
                Finished = done.Finished,
                LastHeartbeat = files.GetValueOrDefault(ResultKeys.Heartbeat)?.LastModified,
                Elapsed = done.Finished - done.Started,
            };
        }

        // A dispatcher saw this attempt end (retried, taken down) and said so: that is how it ended.
        if (JobStates.TryParse(attempt.Ended, out var ended))
        {
            return status with { State = ended, ExitCode = attempt.ExitCode };
        }

        var node = attempt.Node is { } id ? ledger.Document.Nodes.FirstOrDefault(n => n.Id == id) : null;
        var gone = instance is null || instance.State is InstanceState.Terminated or InstanceState.ShuttingDown or InstanceState.Stopped or InstanceState.Stopping;
        if (attempt.DispatchedAt is null)
        {
            return status with { State = BeforeDispatch(attempt, node, instance, gone) };
        }

        var heartbeat = files.TryGetValue(ResultKeys.Heartbeat, out var beat)
            ? await ReadHeartbeatAsync(ledger.Bucket, beat, cancellationToken).ConfigureAwait(false)
            : null;
        // The bucket stamped the heartbeat on its own clock, the one `now` is read from, not the node's.
        var lastBeat = beat?.LastModified;
        var started = DateTimeOffset.TryParse(heartbeat?.Started, out var s) ? s : (DateTimeOffset?)null;
        status = status with
        {
            LastHeartbeat = lastBeat,
            Started = started,
            Progress = string.IsNullOrEmpty(heartbeat?.Progress) ? null : heartbeat.Progress,
            Elapsed = now - started,
            UploadError = string.IsNullOrWhiteSpace(heartbeat?.UploadError) ? null : heartbeat.UploadError.Trim(),
            PowerOffError = string.IsNullOrWhiteSpace(heartbeat?.PoweroffError) ? null : heartbeat.PoweroffError.Trim(),
        };

        // A node that says upload-failed is judged as any other: it holds its results only while it is up and beating.
        var said = heartbeat?.State is { } word ? JobStates.FromRunner(word) : JobState.Starting;
        return status with
        {
            State = gone ? JobState.Lost
                : now - (lastBeat ?? attempt.DispatchedAt.Value) > Heartbeats.HungAfter(ledger.Document.Settings.HeartbeatSeconds) ? JobState.Hung
                : said,
        };
    }

    private static JobState BeforeDispatch(LedgerAttempt attempt, LedgerNode? node, NodeInstance? instance, bool gone) =>
        JobStates.TryParse(node?.Install, out var install) && install.IsFinal() ? install
        : attempt.Node is null ? (attempt.Claim is null ? JobState.Pending : JobState.Launching)
        : gone ? JobState.Lost
        : instance!.State == InstanceState.Pending ? JobState.Launching
        : install == JobState.Ready ? JobState.Ready
        : JobState.Installing;

    /// <summary>When each attempt's status.json was written, on the bucket's clock.</summary>
    private static Dictionary<(int Row, int Attempt), DateTimeOffset> ResultTimes(ILookup<(int, int), (string File, StoredObject Object)> objects) =>
        objects
            .SelectMany(attempt => attempt.Where(x => x.File == ResultKeys.Status).Select(x => (attempt.Key, x.Object.LastModified)))
            .ToDictionary(x => x.Key, x => x.LastModified);

    /// <summary>
    /// A status.json, from this machine's copy when it has a good one. The copy is written aside and renamed in, so
    /// that it is whole or absent; one that is not whole all the same is read again from the bucket.
    /// </summary>
    private async Task<StatusDocument?> ReadStatusAsync(BatchLedger ledger, int index, StoredObject stored, CancellationToken cancellationToken)
    {
        var cache = Path.Combine(AwsRunnerHome.BatchFolder(home, ledger.Name), "cache", $"{index:D4}.{Sanitize(stored.ETag)}.status.json");
        if (File.Exists(cache) && Parse<StatusDocument>(await File.ReadAllBytesAsync(cache, cancellationToken).ConfigureAwait(false)) is { } kept)
        {
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

    // A heartbeat that does not parse is as good as none: the next beat replaces it.
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
}
