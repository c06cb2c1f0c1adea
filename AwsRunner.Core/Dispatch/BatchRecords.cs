using System.Text.Json;

namespace AwsRunner.Core.Dispatch;

/// <summary>Reads and writes the <see cref="BatchRecord"/>s under the awsrunner home.</summary>
public static class BatchRecords
{
    private const string FileName = "batch.json";

    /// <summary>Remembers a batch.</summary>
    /// <param name="home">The awsrunner home.</param>
    /// <param name="record">The batch.</param>
    internal static void Save(string home, BatchRecord record)
    {
        var folder = AwsRunnerHome.BatchFolder(home, record.Name);
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, FileName);
        File.WriteAllBytes(path + ".tmp", JsonSerializer.SerializeToUtf8Bytes(record, Ledger.LedgerDocument.Json));
        File.Move(path + ".tmp", path, overwrite: true);
    }

    /// <summary>What this machine remembers of a batch; a record that does not read counts as none (see <see cref="Damaged"/>).</summary>
    /// <param name="home">The awsrunner home.</param>
    /// <param name="name">The batch's NAME.</param>
    /// <returns>The record, or null when this machine has none it can read.</returns>
    public static BatchRecord? Load(string home, string name) => TryLoad(home, name, out _);

    /// <summary>Every batch this machine remembers, but those whose record does not read.</summary>
    /// <param name="home">The awsrunner home.</param>
    /// <returns>The records, by name.</returns>
    public static IReadOnlyList<BatchRecord> List(string home) =>
        Names(home).Select(n => Load(home, n)).OfType<BatchRecord>().ToList();

    /// <summary>The records under the home that do not read, each as one line: the file and what is wrong with it.</summary>
    /// <param name="home">The awsrunner home.</param>
    /// <returns>The lines, by batch name; empty when every record reads.</returns>
    public static IReadOnlyList<string> Damaged(string home) =>
        Names(home)
            .Select(n => (Name: n, Record: TryLoad(home, n, out var problem), Problem: problem))
            .Where(r => r.Problem is not null)
            .Select(r => $"{Path.Combine(AwsRunnerHome.BatchFolder(home, r.Name), FileName)}: {r.Problem}; its batch is left out")
            .ToList();

    private static IEnumerable<string> Names(string home) =>
        !Directory.Exists(home)
            ? []
            : Directory.EnumerateDirectories(home)
                .Select(Path.GetFileName)
                .Where(n => n is not null && !n.StartsWith('.'))
                .Select(n => n!)
                .Order(StringComparer.Ordinal);

    private static BatchRecord? TryLoad(string home, string name, out string? problem)
    {
        problem = null;
        var path = Path.Combine(AwsRunnerHome.BatchFolder(home, name), FileName);
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            var bytes = File.ReadAllBytes(path);
            var record = bytes.Length == 0 ? null : JsonSerializer.Deserialize<BatchRecord>(bytes, Ledger.LedgerDocument.Json);
            if (record is { Name: not null, Cloud: not null, Bucket: not null })
            {
                return record;
            }

            problem = bytes.Length == 0 ? "not a batch record (it is empty)" : "not a batch record (a field is missing)";
        }
        catch (JsonException e)
        {
            problem = $"not a batch record ({e.Message})";
        }

        return null;
    }
}
