using AwsRunner.Core.Cloud;
using AwsRunner.Core.Ledger;
using Microsoft.Extensions.Logging;

namespace AwsRunner.Core.Dispatch;

/// <summary>
/// The down step: terminate what still runs, then remove the firewall, key pair and (if asked) the results, with the
/// code bundles no other batch of the bucket uses.
/// </summary>
internal sealed partial class BatchTeardown(CloudConnection connection, string home, ILogger<BatchTeardown> logger)
{
    /// <summary>The jobs down would stop at work, or whose results it would lose, in job order.</summary>
    public async Task<IReadOnlyList<int>> RunningJobsAsync(BatchLedger ledger, CancellationToken cancellationToken)
    {
        var status = await new StatusReader(connection, home).ReadAsync(ledger, cancellationToken).ConfigureAwait(false);
        return status.Jobs.Where(AtWork).Select(j => j.Index).ToList();
    }

    /// <summary>Without a ledger nothing says what a node is doing: every live one may be at work.</summary>
    public async Task<IReadOnlyList<int>> LiveJobsAsync(string name, CancellationToken cancellationToken) =>
        (await connection.Cloud.DescribeAsync(name, cancellationToken).ConfigureAwait(false))
            .Where(n => n.State is not (InstanceState.Terminated or InstanceState.ShuttingDown))
            .Select(n => n.JobIndex)
            .Distinct()
            .Order()
            .ToList();

    /// <summary>Terminates the instances the status found outstaying the batch; the status says which they were.</summary>
    public async Task<BatchStatus> EndOverstayingAsync(BatchStatus status, CancellationToken cancellationToken)
    {
        if (status.Overstaying.Count == 0)
        {
            return status;
        }

        foreach (var node in status.Overstaying)
        {
            LogOverstaying(logger, node.InstanceId, node.JobIndex, status.Name, node.Reason);
        }

        await connection.Cloud.TerminateAsync(status.Name, status.Overstaying.Select(n => n.InstanceId).ToList(), cancellationToken).ConfigureAwait(false);
        return status;
    }

    /// <summary>
    /// Terminates the nodes that are up but silent: every row they run is hung, and has been silent longer than
    /// <paramref name="silentFor"/> on the bucket's clock. Their rows' leases lapsed: other nodes take them over, or a
    /// node launched in their seat does.
    /// </summary>
    /// <returns>The nodes terminated.</returns>
    public async Task<IReadOnlyList<string>> EndHungAsync(BatchLedger ledger, BatchStatus status, TimeSpan silentFor, CancellationToken cancellationToken)
    {
        var hung = HungNodes(status, silentFor);
        if (hung.Count > 0)
        {
            foreach (var node in hung)
            {
                LogHung(logger, node, ledger.Name);
            }

            // Recorded first, so that their attempts read hung once the nodes are gone, whoever reads them.
            await ledger.ChangeAsync(d => d.GivenUp(hung, status.ReadAt), cancellationToken).ConfigureAwait(false);
            await connection.Cloud.TerminateAsync(ledger.Name, hung, cancellationToken).ConfigureAwait(false);
        }

        return hung;
    }

    /// <summary>
    /// The nodes up but silent: every row they run is hung, and has been silent longer than <paramref name="silentFor"/>
    /// on the bucket's clock. A node already gone is not among them, whatever its rows still say.
    /// </summary>
    public static IReadOnlyList<string> HungNodes(BatchStatus status, TimeSpan silentFor) => status.Jobs
        .Where(j => j.InstanceId is not null && j.State.IsStarted() && !j.State.IsFinal())
        .GroupBy(j => j.InstanceId!, StringComparer.Ordinal)
        .Where(g => g.All(j => j.State == JobState.Hung && status.ReadAt - (j.LastHeartbeat ?? DateTimeOffset.MinValue) > silentFor)
            && status.Nodes.FirstOrDefault(n => n.InstanceId == g.Key)?.Instance is InstanceState.Running or InstanceState.Pending)
        .Select(g => g.Key)
        .ToList();

    /// <summary>
    /// Records in the ledger that the batch is down, before anything is terminated, so that a dispatcher waiting on it
    /// sees that and relaunches nothing; then terminates what runs (found by the cloud's own records, ledger or not)
    /// and removes what the batch created.
    /// </summary>
    public async Task<DownResult> DownAsync(string name, string bucket, BatchLedger? ledger, bool deleteResults, CancellationToken cancellationToken)
    {
        if (ledger is not null)
        {
            var now = await connection.Results.ServerNowAsync(bucket, cancellationToken).ConfigureAwait(false);
            await ledger.ChangeAsync(d => d.TakenDown(now), cancellationToken).ConfigureAwait(false);
        }

        var live = (await connection.Cloud.DescribeAsync(name, cancellationToken).ConfigureAwait(false))
            .Where(n => n.State != InstanceState.Terminated)
            .Select(n => n.InstanceId)
            .ToList();
        if (live.Count > 0)
        {
            LogTerminating(logger, live.Count, name);
            await connection.Cloud.TerminateAsync(name, live, cancellationToken).ConfigureAwait(false);
        }

        await connection.Cloud.RemoveAccessAsync(name, cancellationToken).ConfigureAwait(false);
        var folder = AwsRunnerHome.BatchFolder(home, name);
        if (deleteResults)
        {
            if (await connection.Results.BucketExistsAsync(bucket, cancellationToken).ConfigureAwait(false))
            {
                // The bundles first: the batch's own objects keep the bucket from looking empty meanwhile.
                await new SharedBundles(connection.Results, logger).ReleaseAsync(bucket, name, cancellationToken).ConfigureAwait(false);
                await connection.Results.DeleteAsync(bucket, ResultKeys.Batch(name), cancellationToken).ConfigureAwait(false);
            }

            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
        else if (Directory.Exists(folder))
        {
            // The record stays, so status and fetch still find the results; keys and caches go.
            foreach (var entry in new DirectoryInfo(folder).EnumerateFileSystemInfos().Where(e => e.Name != "batch.json"))
            {
                if (entry is DirectoryInfo directory)
                {
                    directory.Delete(recursive: true);
                }
                else
                {
                    entry.Delete();
                }
            }
        }

        return new DownResult { Name = name, Terminated = live.Count, ResultsDeleted = deleteResults, ResultsLocation = connection.Results.Describe(bucket, ResultKeys.Batch(name)) };
    }

    // Its command may still run (a hung node's too: only its heartbeat stopped), or its node still holds results it
    // could not upload; on an instance that is not already going.
    private static bool AtWork(JobStatus job) =>
        job.State.IsStarted() && !job.State.IsFinal() && job.Instance is not (null or InstanceState.Terminated or InstanceState.ShuttingDown);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Terminating {Instance} (job {Index} of batch {Batch}): {Reason}")]
    private static partial void LogOverstaying(ILogger logger, string instance, int index, string batch, OverstayReason reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Terminating {Instance} of batch {Batch}: every row it runs has been silent too long")]
    private static partial void LogHung(ILogger logger, string instance, string batch);

    [LoggerMessage(Level = LogLevel.Information, Message = "Terminating {Count} instances of batch {Batch}")]
    private static partial void LogTerminating(ILogger logger, int count, string batch);
}
