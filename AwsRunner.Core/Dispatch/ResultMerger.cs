using System.Globalization;
using CsvHelper;
using AwsRunner.Core.Jobs;

namespace AwsRunner.Core.Dispatch;

/// <summary>
/// Turns a fetched sweep into one table: every job's results CSV, each row led by the batch, the job's index and
/// the job-file columns of its row. A job whose header differs from the first one is left out and reported.
/// </summary>
internal static class ResultMerger
{
    private static readonly string[] LeadingColumns = ["batch", "job", "instance_type", "command"];

    public static MergeResult Merge(BatchManifest manifest, string output, string mergedFile, string? source)
    {
        var variables = manifest.Rows.SelectMany(r => r.Variables.Keys).Distinct().ToList();
        var leftOut = new List<LeftOutJob>();
        string[]? header = null;
        int rows = 0, jobs = 0;
        var reading = new CsvReaderOptions { HasHeader = false, Separator = ',', DetectSeparatorHint = false };
        var writing = new CsvWriterOptions { Separator = ',', Quoting = CsvQuoting.WhenNeededOrWhitespace, NewLine = "\n", ValidateFieldCount = false };

        using (var csv = CsvWriter.Create(File.Create(mergedFile), writing, leaveOpen: false))
        {
            foreach (var row in manifest.Rows)
            {
                var folder = Path.Combine(output, JobIndex.Format(row.Index));
                if (!File.Exists(Path.Combine(folder, "status.json")))
                {
                    continue;
                }

                var file = FindSource(folder, source, out var problem);
                if (file is null)
                {
                    leftOut.Add(new LeftOutJob(row.Index, problem!));
                    continue;
                }

                using var parser = CsvReader.Create(File.OpenRead(file), reading, leaveOpen: false);
                if (!parser.Read())
                {
                    leftOut.Add(new LeftOutJob(row.Index, $"{Relative(output, file)} is empty"));
                    continue;
                }

                var own = parser.Current.ToArray();
                if (header is null)
                {
                    header = own;
                    foreach (var name in LeadingColumns.Concat(variables).Concat(header))
                    {
                        csv.WriteField(name);
                    }

                    csv.EndRecord();
                }
                else if (!own.SequenceEqual(header))
                {
                    leftOut.Add(new LeftOutJob(row.Index, $"its header ({string.Join(",", own)}) differs from the first job's ({string.Join(",", header)})"));
                    continue;
                }

                jobs++;
                while (parser.Read())
                {
                    csv.WriteField(manifest.Name);
                    csv.WriteField(row.Index.ToString(CultureInfo.InvariantCulture));
                    csv.WriteField(row.InstanceType);
                    csv.WriteField(row.Command);
                    foreach (var variable in variables)
                    {
                        csv.WriteField(row.Variables.GetValueOrDefault(variable, ""));
                    }

                    foreach (var field in parser.Current.ToArray())
                    {
                        csv.WriteField(field);
                    }

                    csv.EndRecord();
                    rows++;
                }
            }
        }

        return new MergeResult(Path.GetFullPath(mergedFile), rows, jobs, leftOut);
    }

    private static string? FindSource(string folder, string? source, out string? problem)
    {
        problem = null;
        if (source is not null)
        {
            var path = Path.Combine(folder, source);
            problem = File.Exists(path) ? null : $"it has no {source}";
            return problem is null ? path : null;
        }

        // A retried job's earlier attempts, fetched beside its result, are not its result.
        var candidates = Directory.EnumerateFiles(folder, "*.csv", SearchOption.AllDirectories)
            .Where(c => !Cloud.ResultKeys.IsAttemptName(Relative(folder, c).Split('/')[0]))
            .Order(StringComparer.Ordinal)
            .ToList();
        problem = candidates.Count switch
        {
            0 => "it wrote no CSV file",
            1 => null,
            _ => $"it wrote several CSV files ({string.Join(", ", candidates.Select(c => Relative(folder, c)))}); choose one with --merge-source",
        };
        return problem is null ? candidates[0] : null;
    }

    private static string Relative(string folder, string file) => Path.GetRelativePath(folder, file).Replace('\\', '/');
}
