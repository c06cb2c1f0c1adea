using AwsRunner.Core.Cloud;
using AwsRunner.Core.Ledger;
using Microsoft.Extensions.Logging;

namespace AwsRunner.Core.Dispatch;

/// <summary>
/// A job's log, wherever it is: read from its node in chunks while the node runs (the install log until the job
/// starts), from the bucket once the node is gone (the current attempt's job.log, else the install log create
/// uploaded). Following reads the node's log every <see cref="FollowInterval"/> until the job ends, then writes what
/// the node had not shown yet from the log it uploaded last, so that nothing written at the end is missed.
/// </summary>
internal sealed partial class JobLogReader(CloudConnection connection, TimeProvider time, ILogger<JobLogReader> logger)
{
    public static readonly TimeSpan FollowInterval = TimeSpan.FromSeconds(1);

    // Bounds what one command sends back (as base64, a third more).
    private const long ChunkBytes = 1 << 20;

    public async Task<int> ShowAsync(BatchLedger ledger, int index, bool follow, Stream output, CancellationToken cancellationToken)
    {
        var (name, bucket) = (ledger.Name, ledger.Bucket);
        NodeInstance? node;
        try
        {
            node = await new JobNodeLocator(connection).FindAsync(ledger, index, cancellationToken).ConfigureAwait(false);
            await connection.Shell.WaitReachableAsync(node, cancellationToken).ConfigureAwait(false);
        }
        catch (CloudException e) when (e.Code == JobNodeLocator.NodeGone)
        {
            node = null;
        }

        var (attempt, _) = await CurrentAttempts.OfRowAsync(connection, ledger, index, cancellationToken).ConfigureAwait(false);
        var prefix = ResultKeys.Job(name, index, attempt);
        long shown = 0;
        if (node is not null)
        {
            shown = await ShowFromNodeAsync(node, index, follow, output, cancellationToken).ConfigureAwait(false);
            if (!follow)
            {
                return 0;
            }
        }

        var ended = await ReadStatusAsync(bucket, prefix, cancellationToken).ConfigureAwait(false);
        if (!await CopyStoredAsync(bucket, prefix + ResultKeys.Log, shown, output, cancellationToken).ConfigureAwait(false) && node is null)
        {
            if (!await CopyStoredAsync(bucket, ResultKeys.Job(name, index) + ResultKeys.InstallLog, 0, output, cancellationToken).ConfigureAwait(false))
            {
                throw new CloudException("NoLog", $"show the log of job {index} of batch {name}", "its node is gone and the bucket holds no log of it",
                    hint: $"what the job left is in the bucket: awsrunner fetch {name} ./output");
            }

            LogInstallLog(logger, index, "gone");
        }

        if (!follow)
        {
            return 0;
        }

        return ended?.ExitCode ?? throw new CloudException("JobLost", $"follow the log of job {index} of batch {name}",
            "its node is gone and the job never reported its end (the log above is the last part its node uploaded)",
            hint: $"see where it stands with: awsrunner status {name}");
    }

    /// <summary>Writes the node's log; when following, until the job has ended or the node is gone. Returns the bytes written.</summary>
    private async Task<long> ShowFromNodeAsync(NodeInstance node, int index, bool follow, Stream output, CancellationToken cancellationToken)
    {
        long offset = 0;
        string? file = null;
        long? end = null;
        while (true)
        {
            NodeLogChunk chunk;
            try
            {
                chunk = NodeLogChunk.Parse((await connection.Shell.RunAsync(node, NodeLogChunk.Command(index, offset, ChunkBytes), null, cancellationToken)
                    .ConfigureAwait(false)).Output);
            }
            catch (CloudException e) when (follow)
            {
                // The node went away while followed: the rest comes from the bucket.
                LogNodeLeft(logger, node.InstanceId, e.Message);
                return file == ResultKeys.Log ? offset : 0;
            }

            if (chunk.File is null && !follow)
            {
                throw new CloudException("NoLog", $"show the log of job {index}", $"its node {node.InstanceId} has no log yet (state: {chunk.State})",
                    hint: "its install log appears once its code is uploaded");
            }

            if (chunk.File != file)
            {
                file = chunk.File;
                if (file == ResultKeys.InstallLog)
                {
                    LogInstallLog(logger, index, chunk.State);
                }

                if (chunk.Offset != 0)
                {
                    // The offset was into another log (the install log, before the job started): this one from its start.
                    offset = 0;
                    continue;
                }
            }

            await output.WriteAsync(chunk.Bytes, cancellationToken).ConfigureAwait(false);
            await output.FlushAsync(cancellationToken).ConfigureAwait(false);
            offset = chunk.Offset + chunk.Bytes.Length;
            end ??= follow ? long.MaxValue : chunk.Size;
            if (offset < Math.Min(end.Value, chunk.Size) && chunk.Bytes.Length > 0)
            {
                continue;
            }

            if (!follow)
            {
                return offset;
            }

            if (JobStates.FromRunner(chunk.State).HasOutcome())
            {
                return file == ResultKeys.Log ? offset : 0;
            }

            await Task.Delay(FollowInterval, time, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<StatusDocument?> ReadStatusAsync(string bucket, string prefix, CancellationToken cancellationToken)
    {
        var bytes = await connection.Results.GetAsync(bucket, prefix + ResultKeys.Status, cancellationToken).ConfigureAwait(false);
        try
        {
            return bytes is null ? null : System.Text.Json.JsonSerializer.Deserialize<StatusDocument>(bytes, LedgerDocument.Json);
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }

    /// <summary>Writes a stored log from <paramref name="from"/> on; false when there is no such object.</summary>
    private async Task<bool> CopyStoredAsync(string bucket, string key, long from, Stream output, CancellationToken cancellationToken)
    {
        if (!(await connection.Results.ListAsync(bucket, key, cancellationToken).ConfigureAwait(false)).Any(o => o.Key == key))
        {
            return false;
        }

        var copy = Path.Combine(Path.GetTempPath(), $"awsrunner-log-{Guid.NewGuid():N}");
        try
        {
            await connection.Results.DownloadAsync(bucket, key, copy, cancellationToken).ConfigureAwait(false);
            var file = File.OpenRead(copy);
            await using (file.ConfigureAwait(false))
            {
                if (from < file.Length)
                {
                    file.Seek(from, SeekOrigin.Begin);
                    await file.CopyToAsync(output, cancellationToken).ConfigureAwait(false);
                }
            }

            await output.FlushAsync(cancellationToken).ConfigureAwait(false);
            return true;
        }
        finally
        {
            File.Delete(copy);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Job {Index}: the job has not started (state: {State}); this is the install log")]
    private static partial void LogInstallLog(ILogger logger, int index, string state);

    [LoggerMessage(Level = LogLevel.Information, Message = "Node {Instance} stopped answering while its log was followed: {Reason}")]
    private static partial void LogNodeLeft(ILogger logger, string instance, string reason);
}
