using AwsRunner.Core.Ledger;
using AwsRunner.Core.Queue;

namespace AwsRunner.Core.Dispatch;

/// <summary>
/// The seats one create or dispatch works on, and all it takes from this process: the batch's ledger (its rows, seats,
/// what it was created with, its pinned code bundle), its published queue, the options of the dispatch that runs
/// (timeouts, parallelism, result paths) and the secrets' values. Never the job file or the code folder: a round that
/// replaces lost nodes is built from the ledger.
/// </summary>
internal sealed record DispatchRound
{
    public required BatchLedger Ledger { get; init; }

    public required DispatchOptions Options { get; init; }

    /// <summary>The secrets' values, read once when the dispatch was planned; they go to the nodes over SSH only.</summary>
    public required IReadOnlyList<KeyValuePair<string, string>> Secrets { get; init; }

    /// <summary>The seats to work on: those without a node get one, the others adopt theirs.</summary>
    public required IReadOnlySet<int> Seats { get; init; }

    /// <summary>This process, whose name launch claims carry.</summary>
    public required Dispatcher Dispatcher { get; init; }

    /// <summary>The run's queue, which each node is handed.</summary>
    public required QueueSource Queues { get; init; }

    public string Name => Ledger.Name;

    public string Bucket => Ledger.Bucket;

    public BatchSettings Settings => Ledger.Document.Settings;

    /// <summary>
    /// How long a launch claim holds without a node: the longest a launch and boot may take, and a margin. Past it, the
    /// dispatcher that claimed is taken to have stopped, and another may launch the seat.
    /// </summary>
    public TimeSpan StaleClaim => Options.BootTimeout + TimeSpan.FromMinutes(5);

    public Task<PublishedQueue> Queue(CancellationToken cancellationToken) => Queues.GetAsync(cancellationToken);

    /// <summary>
    /// How a node of <paramref name="instanceType"/> works: the queue's slots, and how long it keeps looking once nothing
    /// is left for it. With a node a row, not at all: each node runs its own row, and a wait replaces a lost one. With
    /// fewer nodes than rows, as long as a lease takes to lapse and a beat more, so that a row lost near the end is
    /// taken over by a node still up.
    /// </summary>
    public QueueNodeSettings NodeSettings(string instanceType)
    {
        var document = Ledger.Document;
        var slots = document.Queue?.Slots.GetValueOrDefault(instanceType) ?? 1;
        var rows = document.Rows.Count(r => r.InstanceType == instanceType);
        var seats = document.Seats.Count(s => s.InstanceType == instanceType);
        var idle = seats * slots >= rows ? TimeSpan.Zero : Heartbeats.HungAfter(Settings.HeartbeatSeconds) + TimeSpan.FromSeconds(Settings.HeartbeatSeconds);
        return QueueNodeSettings.For(this, slots, idle);
    }
}
