using AwsRunner.Core.Cloud;
using AwsRunner.Core.Dispatch;
using AwsRunner.Core.Jobs;

namespace AwsRunner.Core.Ledger;

/// <summary>
/// The job file's rules, applied to a ledger read back from the bucket: whoever can write to the bucket can change it,
/// and its rows name folders, instance types and the variables exported on the nodes, and its figures decide when a
/// node counts as hung or past its deadline.
/// </summary>
internal static class LedgerCheck
{
    /// <summary>What is wrong with the ledger of <paramref name="batch"/>, or null when nothing is.</summary>
    public static string? Problem(LedgerDocument ledger, string batch)
    {
        if (ledger.Format != LedgerDocument.CurrentFormat)
        {
            return $"format {ledger.Format}, where this awsrunner reads format {LedgerDocument.CurrentFormat}";
        }

        // Deserialization leaves a JSON null in a property declared non-null.
        if (ledger.Name is null || ledger.Cloud is null || ledger.ImageId is null || ledger.Rows is null || ledger.Settings is null
            || ledger.Settings.BundleSha256 is null || ledger.Nodes is null || ledger.Secrets is null || ledger.Seats is null)
        {
            return "a required field is null";
        }

        if (ledger.Name != batch)
        {
            return $"it is the ledger of batch \"{JobFileReader.Shorten(ledger.Name)}\", not of \"{batch}\"";
        }

        if (ledger.Settings.HeartbeatSeconds < 1 || !(ledger.Settings.MaxHours > 0) || double.IsInfinity(ledger.Settings.MaxHours))
        {
            return $"heartbeat_seconds {ledger.Settings.HeartbeatSeconds} and max_hours {ledger.Settings.MaxHours} must be positive";
        }

        if (ledger.Run < 1)
        {
            return $"run {ledger.Run} is not a run of a batch";
        }

        if (ledger.Rows.Count == 0)
        {
            return "it has no rows";
        }

        foreach (var secret in ledger.Secrets)
        {
            if (secret is null || VariableName.Problem(secret) is not null)
            {
                return $"secret name \"{JobFileReader.Shorten(secret ?? "")}\" is not a variable name a job may have";
            }
        }

        if (ledger.Nodes.Any(n => n is null || n.Id is null || n.InstanceType is null))
        {
            return "a node without its id or type";
        }

        if (ledger.Seats.Any(s => s is null || s.InstanceType is null || s.Gone is null || s.Row < 0 || s.Row >= ledger.Rows.Count))
        {
            return "a seat that is not a row's";
        }

        if (ledger.Queue is { } queue && (queue.Slots is null || queue.RetryOnExit is null || queue.Slots.Values.Any(k => k < 1)))
        {
            return "its queue's slots are not a number of rows at once";
        }

        var names = ledger.Rows[0]?.Variables?.Keys.ToHashSet(StringComparer.Ordinal) ?? [];
        for (var i = 0; i < ledger.Rows.Count; i++)
        {
            if (RowProblem(ledger.Rows[i], i, names) is { } problem)
            {
                return $"row {i}: {problem}";
            }
        }

        return null;
    }

    private static string? RowProblem(LedgerRow? row, int position, HashSet<string> names)
    {
        if (row is null || row.InstanceType is null || row.Command is null || row.Variables is null || row.Variables.Values.Any(v => v is null) || row.Attempts is null)
        {
            return "a required field is null";
        }

        if (row.Index != position)
        {
            return $"index {row.Index} where {position} belongs (rows are in job order)";
        }

        if (row.Line < 1)
        {
            return $"line {row.Line} is not a line of a job file";
        }

        if (InstanceTypeName.Problem(row.InstanceType) is { } instanceType)
        {
            return instanceType;
        }

        if (row.Command.Trim().Length == 0)
        {
            return "empty command";
        }

        // Attempt numbers name folders in the bucket and here: from 1, at most a page of the queue's LIST in all.
        if (row.FirstAttempt < 1 || row.LastAttempt < 0 || row.LastAttempt > ResultKeys.QueueMaxAttempts || (row.LastAttempt > 0 && row.LastAttempt < row.FirstAttempt))
        {
            return $"attempts {row.FirstAttempt} to {row.LastAttempt} are not attempt numbers";
        }

        foreach (var name in row.Variables.Keys)
        {
            if (VariableName.Problem(name) is { } problem)
            {
                return $"variable \"{JobFileReader.Shorten(name)}\": {problem}";
            }
        }

        return names.SetEquals(row.Variables.Keys)
            ? null
            : $"variables {string.Join(",", row.Variables.Keys)} where the first row has {string.Join(",", names)} (every job has the job file's columns)";
    }
}
