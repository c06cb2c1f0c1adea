using System.Globalization;
using AwsRunner.Core.Dispatch;
using AwsRunner.Core.Jobs;

namespace AwsRunner.Core.Ledger;

/// <summary>
/// Whether a dispatch is of the batch a ledger records: the same jobs (results in the bucket belong to rows by index),
/// and what the batch was fixed to at creation (its code bundle, max-hours and heartbeat, by which its running nodes
/// are judged). A dispatch that differs is refused, naming what differs, before anything is created.
/// </summary>
internal static class BatchIdentity
{
    private const string Advice = "give the new jobs a new NAME, or restore the file";

    /// <param name="ledger">The batch.</param>
    /// <param name="plan">The dispatch.</param>
    /// <param name="settings">What a create would fix (its bundle built from the code folder); null for a dispatch without create.</param>
    public static void Check(LedgerDocument ledger, BatchPlan plan, BatchSettings? settings)
    {
        CheckSameJobs(ledger, plan.Jobs);
        var options = plan.Options;
        if (options.MaxHours is { } maxHours && maxHours != ledger.Settings.MaxHours)
        {
            throw new InvalidInputException("MaxHours",
                $"DispatchOptions.MaxHours {maxHours.ToString(CultureInfo.InvariantCulture)}: batch \"{ledger.Name}\" was created with DispatchOptions.MaxHours {ledger.Settings.MaxHours.ToString(CultureInfo.InvariantCulture)}, which its nodes keep; leave DispatchOptions.MaxHours out, or give the new jobs a new NAME");
        }

        if (options.HeartbeatInterval is { } heartbeat && (int)Math.Ceiling(heartbeat.TotalSeconds) != ledger.Settings.HeartbeatSeconds)
        {
            throw new InvalidInputException("Heartbeat",
                $"DispatchOptions.HeartbeatInterval {Seconds(heartbeat.TotalSeconds)}: batch \"{ledger.Name}\" was created with a heartbeat of {Seconds(ledger.Settings.HeartbeatSeconds)}, which its nodes keep; leave DispatchOptions.HeartbeatInterval out, or give the new jobs a new NAME");
        }

        if (settings is not null && settings.BundleSha256 != ledger.Settings.BundleSha256)
        {
            throw new InvalidInputException("Code",
                $"{plan.CodeDirectory}: the code folder or INSTALL.sh is not what batch \"{ledger.Name}\" was created with (its code bundle was {ledger.Settings.BundleSha256[..12]}, this one is {settings.BundleSha256[..12]}); restore them, or give the new code a new NAME");
        }
    }

    /// <summary>
    /// A batch keeps its jobs: results in the bucket belong to rows by index, so a re-run whose job file changed a row
    /// (its instance type, command or a variable) is refused, naming the row and column.
    /// </summary>
    private static void CheckSameJobs(LedgerDocument ledger, JobFile file)
    {
        var rows = ledger.Rows;
        var name = ledger.Name;
        if (file.Rows.Count > rows.Count)
        {
            throw JobFileReader.Fail(file.Path, file.Rows[rows.Count].Line, $"a job batch \"{name}\" does not have (it has {rows.Count}); {Advice}");
        }

        if (file.Rows.Count < rows.Count)
        {
            throw JobFileReader.Fail(file.Path, file.Rows[^1].Line, $"the file ends after {file.Rows.Count} jobs, batch \"{name}\" has {rows.Count}; {Advice}");
        }

        var names = rows[0].Variables.Keys.ToHashSet(StringComparer.Ordinal);
        if (file.VariableNames.FirstOrDefault(n => !names.Contains(n)) is { } added)
        {
            throw JobFileReader.Fail(file.Path, file.HeaderLine, file.Columns[added], added, $"a column batch \"{name}\" does not have; {Advice}");
        }

        if (names.FirstOrDefault(n => !file.Columns.ContainsKey(n)) is { } removed)
        {
            throw JobFileReader.Fail(file.Path, file.HeaderLine, $"column {removed} of batch \"{name}\" is missing; {Advice}");
        }

        foreach (var (row, kept) in file.Rows.Zip(rows))
        {
            (string Column, string Now, string Then)[] fields =
            [
                (JobFileReader.InstanceTypeColumn, row.InstanceType, kept.InstanceType),
                (JobFileReader.CommandColumn, row.Command, kept.Command),
                .. row.Variables.Select(v => (v.Key, v.Value, kept.Variables[v.Key])),
            ];
            if (fields.FirstOrDefault(f => f.Now != f.Then) is { Column: not null } changed)
            {
                throw JobFileReader.Fail(file.Path, row.Line, file.Columns[changed.Column], changed.Column,
                    $"\"{JobFileReader.Shorten(changed.Now)}\" differs from \"{JobFileReader.Shorten(changed.Then)}\", the value batch \"{name}\" was created with; {Advice}");
            }
        }
    }

    private static string Seconds(double seconds) => Math.Ceiling(seconds).ToString(CultureInfo.InvariantCulture) + "s";
}
