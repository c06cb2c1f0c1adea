using System.Globalization;
using AwsRunner.Core.Cloud;
using AwsRunner.Core.Jobs;
using AwsRunner.Core.Ledger;
using CsvHelper;

namespace AwsRunner.Core.Dispatch;

/// <summary>
/// Turns a fetched sweep into one CSV table: every job's results (a CSV, a JSON object, or JSON lines), each row led by
/// the batch, the job's index and the job-file columns of its row. A column never appears twice: a result column named
/// after a job-file column is that column when its values agree with the job file's, else it is kept as
/// <c>result.NAME</c>. A job whose results cannot be read, or whose CSV header differs from the first one, is left out
/// with one reason; JSON objects may differ in their names, and the table has each name once.
/// </summary>
internal static class ResultMerger
{
    private const string RenamedPrefix = "result.";
    private static readonly string[] LeadingColumns = ["batch", "job", "instance_type", "command"];

    public static MergeResult Merge(LedgerDocument manifest, string output, string mergedFile, string? source)
    {
        var variables = manifest.Rows.SelectMany(r => r.Variables.Keys).Distinct().ToList();
        var leading = LeadingColumns.Concat(variables).ToList();
        var leftOut = new List<LeftOutJob>();
        var jobs = new List<(LedgerRow Row, ResultFile File)>();
        var resultColumns = new List<string>();
        var differing = new HashSet<string>(StringComparer.Ordinal);
        IReadOnlyList<string>? csvHeader = null;

        // First read: which jobs can be merged, and every column the table needs.
        foreach (var row in manifest.Rows)
        {
            var folder = Path.Combine(output, JobIndex.Format(row.Index));
            if (!File.Exists(Path.Combine(folder, ResultKeys.Status)))
            {
                continue;
            }

            if (FindSource(folder, source, out var problem) is not { } file)
            {
                leftOut.Add(new LeftOutJob { Index = row.Index, Reason = problem! });
                continue;
            }

            var own = LeadingValues(manifest.Name, row, variables);
            var disagreeing = new HashSet<string>(StringComparer.Ordinal);
            try
            {
                foreach (var values in file.Rows())
                {
                    for (var i = 0; i < values.Length; i++)
                    {
                        if (values[i] is { } value && own.TryGetValue(file.Columns[i], out var expected) && value != expected)
                        {
                            disagreeing.Add(file.Columns[i]);
                        }
                    }
                }
            }
            catch (InvalidDataException e)
            {
                leftOut.Add(new LeftOutJob { Index = row.Index, Reason = e.Message });
                continue;
            }

            if (!file.IsJson)
            {
                csvHeader ??= file.Columns.ToList();
                if (!file.Columns.SequenceEqual(csvHeader, StringComparer.Ordinal))
                {
                    leftOut.Add(new LeftOutJob { Index = row.Index, Reason = $"its header ({string.Join(",", file.Columns)}) differs from the first job's ({string.Join(",", csvHeader)})" });
                    continue;
                }
            }

            resultColumns.AddRange(file.Columns.Where(c => !resultColumns.Contains(c, StringComparer.Ordinal)));
            differing.UnionWith(disagreeing);
            jobs.Add((row, file));
        }

        var path = Path.GetFullPath(mergedFile);
        if (jobs.Count == 0)
        {
            // Nothing to merge: an earlier merged file is left as it was rather than emptied.
            return new MergeResult { MergedFile = path, Rows = 0, Jobs = 0, LeftOut = leftOut };
        }

        var (header, places) = Layout(leading, resultColumns, differing);
        var rows = Write(path, header, leading.Count, places, jobs, manifest.Name, variables);
        return new MergeResult { MergedFile = path, Rows = rows, Jobs = jobs.Count, LeftOut = leftOut };
    }

    /// <summary>
    /// The table's header, and where each result column goes in it (none: it is the job-file column of that name, with
    /// the same values).
    /// </summary>
    private static (List<string> Header, Dictionary<string, int> Places) Layout(List<string> leading, List<string> resultColumns, HashSet<string> differing)
    {
        var header = new List<string>(leading);
        var taken = new HashSet<string>(leading.Concat(resultColumns), StringComparer.Ordinal);
        var places = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var column in resultColumns)
        {
            var name = column;
            if (leading.Contains(column, StringComparer.Ordinal))
            {
                if (!differing.Contains(column))
                {
                    continue;
                }

                name = RenamedPrefix + column;
                while (!taken.Add(name))
                {
                    name = RenamedPrefix + name;
                }
            }

            places[column] = header.Count;
            header.Add(name);
        }

        return (header, places);
    }

    /// <summary>Writes the table beside its final name first, so that a merge that fails leaves no half table.</summary>
    private static int Write(
        string path, List<string> header, int leading, Dictionary<string, int> places, List<(LedgerRow Row, ResultFile File)> jobs, string batch, List<string> variables)
    {
        var options = new CsvWriterOptions
        {
            Separator = ',',
            // As CsvHelper 33 wrote them: a value with a space at either end keeps it through a reader that trims.
            Quoting = CsvQuoting.WhenNeededOrWhitespace,
            NewLine = "\n",
            WriteByteOrderMark = false,
        };
        var temporary = Path.Combine(Path.GetDirectoryName(path)!, $".{Path.GetFileName(path)}.{Environment.ProcessId}.tmp");
        var rows = 0;
        try
        {
            using (var csv = CsvWriter.Create(File.Create(temporary), options, leaveOpen: false))
            {
                csv.WriteRecord([.. header]);
                foreach (var (row, file) in jobs)
                {
                    var own = LeadingValues(batch, row, variables);
                    try
                    {
                        foreach (var values in file.Rows())
                        {
                            var cells = new string?[header.Count];
                            for (var i = 0; i < leading; i++)
                            {
                                cells[i] = own[header[i]];
                            }

                            for (var i = 0; i < values.Length; i++)
                            {
                                if (places.TryGetValue(file.Columns[i], out var place))
                                {
                                    cells[place] = values[i];
                                }
                            }

                            csv.WriteRecord(cells!);
                            rows++;
                        }
                    }
                    catch (InvalidDataException e)
                    {
                        throw new IOException($"{file.Name} of job {JobIndex.Format(row.Index)} changed while it was merged: {e.Message}", e);
                    }
                }
            }

            File.Move(temporary, path, overwrite: true);
            return rows;
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    /// <summary>The values the job file gives a row, by column name.</summary>
    private static Dictionary<string, string> LeadingValues(string batch, LedgerRow row, List<string> variables)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["batch"] = batch,
            ["job"] = row.Index.ToString(CultureInfo.InvariantCulture),
            ["instance_type"] = row.InstanceType,
            ["command"] = row.Command,
        };
        foreach (var variable in variables)
        {
            values[variable] = row.Variables.GetValueOrDefault(variable, "");
        }

        return values;
    }

    /// <summary>The job's results to merge: the one named, else its only CSV, else its only JSON file.</summary>
    private static ResultFile? FindSource(string folder, string? source, out string? problem)
    {
        problem = null;
        if (source is not null)
        {
            var path = Path.Combine(folder, source);
            problem = File.Exists(path) ? null : $"it has no {source}";
            return problem is null ? new ResultFile(path, source) : null;
        }

        // A retried job's earlier attempts, fetched beside its result, are not its result; nor is the status awsrunner wrote.
        var files = Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
            .Select(f => Relative(folder, f))
            .Where(f => !ResultKeys.IsAttemptName(f.Split('/')[0]) && f != ResultKeys.Status)
            .Order(StringComparer.Ordinal)
            .ToList();
        var csv = files.Where(f => f.EndsWith(".csv", StringComparison.OrdinalIgnoreCase)).ToList();
        var json = files.Where(ResultFile.IsJsonName).ToList();
        var candidates = csv.Count > 0 ? csv : json;
        problem = candidates.Count switch
        {
            0 => "it wrote no CSV or JSON file",
            1 => null,
            _ => $"it wrote several {(csv.Count > 0 ? "CSV" : "JSON")} files ({string.Join(", ", candidates)}); choose one with Batch.Merge's source",
        };
        return problem is null ? new ResultFile(Path.Combine(folder, candidates[0]), candidates[0]) : null;
    }

    private static string Relative(string folder, string file) => Path.GetRelativePath(folder, file).Replace('\\', '/');
}
