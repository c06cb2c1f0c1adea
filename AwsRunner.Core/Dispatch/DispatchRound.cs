using AwsRunner.Core.Ledger;

namespace AwsRunner.Core.Dispatch;

/// <summary>
/// The rows one create or dispatch works on, and all it takes from this process: the batch's ledger (its rows, what it
/// was created with, its pinned code bundle), the options of the dispatch that runs (timeouts, parallelism, result
/// paths) and the secrets' values. Never the job file or the code folder: a retry round is built from the ledger.
/// </summary>
internal sealed record DispatchRound
{
    public required BatchLedger Ledger { get; init; }

    public required DispatchOptions Options { get; init; }

    /// <summary>The secrets' values, read once when the dispatch was planned; they go to the nodes over SSH only.</summary>
    public required IReadOnlyList<KeyValuePair<string, string>> Secrets { get; init; }

    /// <summary>The rows to work on: those whose attempt has no node get one, the others adopt theirs.</summary>
    public required IReadOnlySet<int> Rows { get; init; }

    /// <summary>This process, whose name launch claims carry.</summary>
    public required Dispatcher Dispatcher { get; init; }

    public string Name => Ledger.Name;

    public string Bucket => Ledger.Bucket;

    public BatchSettings Settings => Ledger.Document.Settings;

    /// <summary>
    /// How long a launch claim holds without a node: the longest a launch and boot may take, and a margin. Past it, the
    /// dispatcher that claimed is taken to have stopped, and another may launch the row.
    /// </summary>
    public TimeSpan StaleClaim => Options.BootTimeout + TimeSpan.FromMinutes(5);
}
