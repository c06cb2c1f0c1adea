using AwsRunner.Core.Cloud;
using Microsoft.Extensions.Logging;

namespace AwsRunner.Core.Dispatch;

/// <summary>
/// Follows a batch to its end from its ledger, read afresh at every look so that a down or another dispatcher's
/// change is seen at once. A dispatch's own wait also acts: it records each attempt that ended, terminates a node
/// hung for long, runs again exactly the rows due (each at most 1 + <see cref="DispatchOptions.MaxRetries"/> times a
/// run, from the ledger and the batch's pinned code bundle, never the job file or the code folder), launches a row
/// whose launch another dispatcher claimed and gave up, and starts a row whose node is ready but was never handed
/// its job. Once the batch is taken down it stops and launches nothing.
/// </summary>
internal sealed partial class BatchWait(Batch batch, ILogger<BatchWait> logger)
{
    public async Task<BatchStatus> RunAsync(IProgress<BatchStatus>? progress, IProgress<NodeProgress>? nodes, TimeSpan? every, CancellationToken cancellationToken)
    {
        var reader = new StatusReader(batch.Connection, batch.Home);
        var teardown = batch.Teardown();
        var round = batch.Dispatch;
        var interval = every ?? round?.Options.PollInterval ?? TimeSpan.FromSeconds(batch.Cloud == "local" ? 2 : 10);
        while (true)
        {
            var status = await Polling.UntilAsync(
                async token =>
                {
                    await batch.Ledger.RefreshAsync(token).ConfigureAwait(false);
                    var status = await teardown.EndOverstayingAsync(
                        await reader.ReadAsync(batch.Ledger, token).ConfigureAwait(false), token).ConfigureAwait(false);
                    progress?.Report(status);
                    return status;
                },
                status => status.TakenDownAt is not null || status.Finished || (round is not null && Work(status, round).Any),
                interval,
                Timeout.InfiniteTimeSpan,
                batch.Time,
                cancellationToken).ConfigureAwait(false);
            if (status.TakenDownAt is not null || round is null)
            {
                return status;
            }

            var work = Work(status, round);
            await RecordEndsAsync(status, cancellationToken).ConfigureAwait(false);
            if (!work.Any)
            {
                return status;
            }

            await GiveUpOnHungAsync(work.GivenUp, cancellationToken).ConfigureAwait(false);
            var advanced = await RetryAsync(work.Due, round, cancellationToken).ConfigureAwait(false);
            var rows = advanced.Concat(work.Unlaunched).Concat(work.Ready).ToHashSet();
            if (rows.Count > 0)
            {
                await batch.CreateAndStartAsync(round with { Ledger = batch.Ledger, Rows = rows }, nodes, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>What a dispatch's wait has to do after this look.</summary>
    private WaitWork Work(BatchStatus status, DispatchRound round)
    {
        var document = batch.Ledger.Document;
        var options = round.Options;
        var giveUp = Heartbeats.GiveUpAfter(document.Settings.HeartbeatSeconds);
        var givenUp = status.Jobs
            .Where(j => j.State == JobState.Hung && status.ReadAt - (j.LastHeartbeat ?? document.Rows[j.Index].Current.DispatchedAt ?? status.ReadAt) > giveUp)
            .ToList();
        var due = status.Jobs
            .Where(j => (j.State != JobState.Hung || givenUp.Contains(j))
                && j.State.IsRetryable(j.ExitCode, options.RetryOnExit)
                && document.AttemptsThisRun(document.Rows[j.Index]) < 1 + options.MaxRetries)
            .ToList();
        // A launch claimed by a dispatcher that stopped, past the time a launch takes.
        var unlaunched = document.Rows
            .Where(r => r.Current is { Node: null, Ended: null } a && (a.Claim is null || status.ReadAt - a.Claim.At > round.StaleClaim || Dispatcher.IsGone(a.Claim)))
            .Select(r => r.Index)
            .ToList();
        var ready = status.Jobs.Where(j => j.State == JobState.Ready).Select(j => j.Index).ToList();
        return new WaitWork(givenUp, due, unlaunched, ready);
    }

    /// <summary>Notes in the ledger each attempt whose result is in, so that the ledger says how each row ended.</summary>
    private async Task RecordEndsAsync(BatchStatus status, CancellationToken cancellationToken)
    {
        var document = batch.Ledger.Document;
        var ended = status.Jobs
            .Where(j => j.State.IsFinal() && j.State.HasOutcome() && document.Rows[j.Index].Current is { Ended: null } a && a.Number == j.Attempt)
            .Select(j => (j.Index, j.Attempt, j.State, j.ExitCode))
            .ToList();
        if (ended.Count > 0)
        {
            await batch.Ledger.ChangeAsync(d => d.Finished(ended), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Terminates the nodes hung for long: they are silent, and their rows run again or end lost.</summary>
    private async Task GiveUpOnHungAsync(IReadOnlyList<JobStatus> hung, CancellationToken cancellationToken)
    {
        var ids = hung.Where(j => j.InstanceId is not null).Select(j => j.InstanceId!).ToList();
        if (ids.Count == 0)
        {
            return;
        }

        foreach (var job in hung)
        {
            LogGivingUp(logger, job.Index, job.InstanceId, job.LastHeartbeat);
        }

        await batch.Connection.Cloud.TerminateAsync(batch.Name, ids, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Moves the rows due on to their next attempt in the ledger; a row another dispatcher moved on already is not
    /// this one's. What is left of their nodes is terminated first.
    /// </summary>
    private async Task<IReadOnlyList<int>> RetryAsync(IReadOnlyList<JobStatus> due, DispatchRound round, CancellationToken cancellationToken)
    {
        if (due.Count == 0)
        {
            return [];
        }

        var described = (await batch.Connection.Cloud.DescribeAsync(batch.Name, cancellationToken).ConfigureAwait(false)).ToDictionary(n => n.InstanceId, StringComparer.Ordinal);
        var leftover = due
            .Select(j => j.InstanceId is { } id ? described.GetValueOrDefault(id) : null)
            .Where(n => n is not null && n.State is not (InstanceState.Terminated or InstanceState.ShuttingDown))
            .Select(n => n!.InstanceId)
            .ToList();
        if (leftover.Count > 0)
        {
            await batch.Connection.Cloud.TerminateAsync(batch.Name, leftover, cancellationToken).ConfigureAwait(false);
        }

        var advanced = await batch.Ledger.ChangeAsync(
            d => d.Retried(due.Select(j => (j.Index, j.Attempt, j.State, j.ExitCode)).ToList(), round.Options.SpotFallbackAfter), cancellationToken).ConfigureAwait(false);
        foreach (var job in due.Where(j => advanced.Contains(j.Index)))
        {
            var how = batch.Ledger.Document.Rows[job.Index].OnDemand ? "on demand" : "as before";
            LogRetrying(logger, job.Index, job.Attempt, job.State, job.Attempt + 1, how);
        }

        return advanced;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Job {Index}: attempt {Attempt} {State}; starting attempt {Next} {How}")]
    private static partial void LogRetrying(ILogger logger, int index, int attempt, JobState state, int next, string how);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Job {Index}: its node {Instance} has been silent since {LastHeartbeat}; terminating it")]
    private static partial void LogGivingUp(ILogger logger, int index, string? instance, DateTimeOffset? lastHeartbeat);

    private sealed record WaitWork(IReadOnlyList<JobStatus> GivenUp, IReadOnlyList<JobStatus> Due, IReadOnlyList<int> Unlaunched, IReadOnlyList<int> Ready)
    {
        public bool Any => GivenUp.Count > 0 || Due.Count > 0 || Unlaunched.Count > 0 || Ready.Count > 0;
    }
}
