using AwsRunner.Core.Ledger;

namespace AwsRunner.Core.Queue;

/// <summary>One row as the queue publishes it: what it runs, and the attempt numbers it may use in this run, lowest first.</summary>
internal sealed record QueueRow(int Index, string InstanceType, string Command, IReadOnlyDictionary<string, string> Variables, IReadOnlyList<int> Attempts)
{
    /// <summary>
    /// Every row of the ledger with the attempts it may use in this run, as the ledger published them: numbered above
    /// every attempt of the runs before.
    /// </summary>
    public static IReadOnlyList<QueueRow> FromLedger(LedgerDocument ledger) =>
        ledger.Rows.Select(r => new QueueRow(r.Index, r.InstanceType, r.Command, r.Variables, r.Attempts.ToList())).ToList();

    /// <summary>The highest attempt number the row may reach in this run.</summary>
    public int LastAttempt => Attempts[^1];
}
