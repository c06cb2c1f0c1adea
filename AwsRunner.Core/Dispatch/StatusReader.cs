using System.Collections.Concurrent;
using System.Text.Json;
using AwsRunner.Core.Cloud;

namespace AwsRunner.Core.Dispatch;

/// <summary>
/// Merges one DescribeInstances-style call for the whole batch with one listing of its bucket prefix.
/// status.json never changes once written, so each is read once and kept on disk; a heartbeat is read only when
/// the listing shows a new ETag for it.
/// </summary>
internal sealed class StatusReader(CloudConnection connection, string home)
{
    private readonly ManifestStore manifests = new(connection.Results);
    private readonly ConcurrentDictionary<string, (string ETag, HeartbeatDocument? Document)> heartbeats = new();

    public async Task<BatchStatus> ReadAsync(string name, string bucket, CancellationToken cancellationToken)
    {
        var manifest = await manifests.RequireAsync(bucket, name, cancellationToken).ConfigureAwait(false);
        var instances = (await connection.Cloud.DescribeAsync(name, cancellationToken).ConfigureAwait(false))
            .ToDictionary(n => n.InstanceId, StringComparer.Ordinal);
        var objects = (await connection.Results.ListAsync(bucket, ResultKeys.Jobs(name), cancellationToken).ConfigureAwait(false))
            .Select(o => ResultKeys.TryParseJobKey(name, o.Key, out var index, out var file) ? (index, file, o) : default)
            .Where(x => x.o is not null)
            .ToLookup(x => x.index, x => (x.file, x.o));

        var now = await ServerNowAsync(bucket, cancellationToken).ConfigureAwait(false);
        var jobs = new JobStatus[manifest.Rows.Count];
        await Parallel.ForEachAsync(manifest.Rows, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = cancellationToken }, async (row, token) =>
        {
            var files = AttemptFiles.Of(objects[row.Index], RowAttempts.CurrentOf(row));
            var instance = row.InstanceId is null ? null : instances.GetValueOrDefault(row.InstanceId);
            jobs[row.Index] = AttemptFiles.WithAttempts(await MergeAsync(manifest, row, instance, files, now, token).ConfigureAwait(false), row);
        }).ConfigureAwait(false);
        return new BatchStatus(name, bucket, manifest.Cloud, manifest.CreatedAt, now, jobs)
        {
            Overstaying = Overstays.Find(manifest, instances.Values, ResultTimes(objects), now),
        };
    }

    private async Task<JobStatus> MergeAsync(
        BatchManifest manifest, ManifestRow row, NodeInstance? instance, Dictionary<string, StoredObject> files, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var status = new JobStatus(row.Index, row.InstanceType, row.InstanceId, instance?.State, JobState.Pending, SpotRefusal: instance?.SpotRefusal);
        if (files.TryGetValue(ResultKeys.Status, out var statusObject)
            && await ReadStatusAsync(manifest, row.Index, statusObject, cancellationToken).ConfigureAwait(false) is { } done)
        {
            if (done.Unreadable)
            {
                return status with
                {
                    State = JobState.Unreadable,
                    LastHeartbeat = files.GetValueOrDefault(ResultKeys.Heartbeat)?.LastModified,
                    UnreadableStatus = connection.Results.Describe(manifest.Bucket, statusObject.Key),
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

        var gone = instance is null || instance.State is InstanceState.Terminated or InstanceState.ShuttingDown or InstanceState.Stopped or InstanceState.Stopping;
        if (row.DispatchedAt is null)
        {
            return status with { State = BeforeDispatch(row, instance, gone) };
        }

        var heartbeat = files.TryGetValue(ResultKeys.Heartbeat, out var beat)
            ? await ReadHeartbeatAsync(manifest, beat, cancellationToken).ConfigureAwait(false)
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

        // Three missed heartbeats, and a little for a slow upload, before a silent node counts as hung. A node that
        // says upload-failed is judged the same way: it holds its results only while it is up and beating.
        var staleAfter = TimeSpan.FromSeconds(3 * manifest.HeartbeatSeconds + 10);
        return status with
        {
            State = gone ? JobState.Lost
                : now - (lastBeat ?? row.DispatchedAt.Value) > staleAfter ? JobState.Hung
                : heartbeat?.State is { } state ? JobStateNames.FromRunner(state)
                : JobState.Starting,
        };
    }

    /// <summary>
    /// Now on the bucket's clock, which heartbeats are stamped with: this machine's clock may be minutes
    /// off, and a fast one must not make every job look hung.
    /// </summary>
    private Task<DateTimeOffset> ServerNowAsync(string bucket, CancellationToken cancellationToken) =>
        connection.Results.ServerNowAsync(bucket, cancellationToken);

    /// <summary>When each finished job's status.json was written, on the bucket's clock.</summary>
    private static Dictionary<int, DateTimeOffset> ResultTimes(ILookup<int, (string File, StoredObject Object)> objects) =>
        objects
            .SelectMany(job => job.Where(x => x.File == ResultKeys.Status).Select(x => (job.Key, x.Object.LastModified)))
            .ToDictionary(x => x.Key, x => x.LastModified);

    private static JobState BeforeDispatch(ManifestRow row, NodeInstance? instance, bool gone) => row.Install switch
    {
        "install-failed" => JobState.InstallFailed,
        "unreachable" => JobState.Unreachable,
        _ when instance is null && row.InstanceId is null => JobState.Pending,
        _ when gone => JobState.Lost,
        _ when instance!.State == InstanceState.Pending => JobState.Launching,
        "ready" => JobState.Ready,
        _ => JobState.Installing,
    };

    /// <summary>
    /// The job's status.json; <see cref="StatusDocument.Unreadable"/> when it is there but does not parse: the runner
    /// writes it whole in one PUT (a rename on the local cloud), so such a document stays as it is. Null when it went
    /// between the listing and the read.
    /// </summary>
    private async Task<StatusDocument?> ReadStatusAsync(BatchManifest manifest, int index, StoredObject stored, CancellationToken cancellationToken)
    {
        var cache = Path.Combine(AwsRunnerHome.BatchFolder(home, manifest.Name), "cache", $"{index:D4}.{Sanitize(stored.ETag)}.status.json");
        if (File.Exists(cache) && Parse<StatusDocument>(await File.ReadAllBytesAsync(cache, cancellationToken).ConfigureAwait(false)) is { } kept)
        {
            return kept;
        }

        var bytes = await connection.Results.GetAsync(manifest.Bucket, stored.Key, cancellationToken).ConfigureAwait(false);
        if (bytes is null)
        {
            return null;
        }

        var document = StatusDocument.Read(bytes);
        if (!document.Unreadable)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(cache)!);
            await File.WriteAllBytesAsync(cache, bytes, cancellationToken).ConfigureAwait(false);
        }

        return document;
    }

    private async Task<HeartbeatDocument?> ReadHeartbeatAsync(BatchManifest manifest, StoredObject stored, CancellationToken cancellationToken)
    {
        if (heartbeats.TryGetValue(stored.Key, out var known) && known.ETag == stored.ETag)
        {
            return known.Document;
        }

        var bytes = await connection.Results.GetAsync(manifest.Bucket, stored.Key, cancellationToken).ConfigureAwait(false);
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
            return JsonSerializer.Deserialize<T>(bytes, BatchManifest.Json);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string Sanitize(string etag) => new(etag.Where(char.IsAsciiLetterOrDigit).ToArray());
}
