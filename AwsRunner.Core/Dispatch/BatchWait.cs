namespace AwsRunner.Core.Dispatch;

/// <summary>
/// Follows a batch to its end from its ledger, read afresh at every look so that a down or another dispatcher's change
/// is seen at once. The nodes retry rows themselves (they claim a row's next attempt when the last one's lease lapsed,
/// or it ended in a way worth another); a dispatch's own wait keeps them supplied: it terminates a node whose every row
/// is silent for long, launches a node in each seat whose node was lost while rows of its type are left (spot, then on
/// demand after <see cref="DispatchOptions.SpotFallbackAfter"/> of the seat's spot nodes were taken back), and hands
/// its work to a node that is ready but was never handed it. Once the batch is taken down it stops and launches
/// nothing.
/// </summary>
internal sealed class BatchWait(Batch batch)
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
            if (!work.Any)
            {
                return status;
            }

            if (work.Hung.Count > 0)
            {
                await teardown.EndHungAsync(batch.Ledger, status, GiveUpAfter(), cancellationToken).ConfigureAwait(false);
                continue;
            }

            if (work.Gone.Count > 0)
            {
                await batch.Ledger.ChangeAsync(d => d.Vacated(work.Gone, round.Options.SpotFallbackAfter).Next, cancellationToken).ConfigureAwait(false);
            }

            var creator = batch.Creator();
            await batch.CreateAndStartAsync(round with { Ledger = batch.Ledger, Seats = work.Seats }, creator, nodes, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>What a dispatch's wait has to do after this look: nodes to give up on, seats to fill, nodes to hand work.</summary>
    private WaitWork Work(BatchStatus status, DispatchRound round)
    {
        var document = batch.Ledger.Document;
        var giveUp = GiveUpAfter();
        // The same nodes the teardown ends: a wait that saw others would look again at once, and again.
        var hung = BatchTeardown.HungNodes(status, giveUp);
        var (seats, gone) = Seating.ToFill(document, status, asked: false, status.ReadAt, round.StaleClaim);
        var nodes = document.NodesById();
        // A seat needs this wait when it has no node up, or its node is installed but was never handed its work.
        var needing = seats.Where(s => document.Seats.First(x => x.Row == s).Node is not { } id
            || status.Nodes.FirstOrDefault(n => n.InstanceId == id) is not { } node
            || node.Instance is not (Cloud.InstanceState.Pending or Cloud.InstanceState.Running)
            || (node.Install == JobState.Ready && nodes.GetValueOrDefault(id)?.WorkingAt is null)).ToHashSet();
        return new WaitWork(hung, needing, gone.Where(g => needing.Contains(g.Seat)).ToList());
    }

    // Twice as long as it took to count as hung: a node whose uploads were slow for a while has caught up by then.
    private TimeSpan GiveUpAfter() => Heartbeats.GiveUpAfter(batch.Ledger.Document.Settings.HeartbeatSeconds);

    private sealed record WaitWork(IReadOnlyList<string> Hung, IReadOnlySet<int> Seats, IReadOnlyList<(int Seat, string Node, bool TakenBack)> Gone)
    {
        public bool Any => Hung.Count > 0 || Seats.Count > 0;
    }
}
