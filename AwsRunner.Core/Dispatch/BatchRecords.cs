using System.Text.Json;

namespace AwsRunner.Core.Dispatch;

/// <summary>Reads and writes the <see cref="BatchRecord"/>s under the awsrunner home.</summary>
public static class BatchRecords
{
    private const string FileName = "batch.json";

    /// <summary>Remembers a batch.</summary>
    /// <param name="home">The awsrunner home.</param>
    /// <param name="record">The batch.</param>
    public static void Save(string home, BatchRecord record)
    {
        var folder = AwsRunnerHome.BatchFolder(home, record.Name);
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, FileName);
        File.WriteAllBytes(path + ".tmp", JsonSerializer.SerializeToUtf8Bytes(record, BatchManifest.Json));
        File.Move(path + ".tmp", path, overwrite: true);
    }

    /// <summary>What this machine remembers of a batch.</summary>
    /// <param name="home">The awsrunner home.</param>
    /// <param name="name">The batch's NAME.</param>
    /// <returns>The record, or null when this machine has none.</returns>
    public static BatchRecord? Load(string home, string name)
    {
        var path = Path.Combine(AwsRunnerHome.BatchFolder(home, name), FileName);
        return File.Exists(path) ? JsonSerializer.Deserialize<BatchRecord>(File.ReadAllBytes(path), BatchManifest.Json) : null;
    }

    /// <summary>Every batch this machine remembers.</summary>
    /// <param name="home">The awsrunner home.</param>
    /// <returns>The records, by name.</returns>
    public static IReadOnlyList<BatchRecord> List(string home) =>
        !Directory.Exists(home)
            ? []
            : Directory.EnumerateDirectories(home)
                .Select(Path.GetFileName)
                .Where(n => n is not null && !n.StartsWith('.'))
                .Order(StringComparer.Ordinal)
                .Select(n => Load(home, n!))
                .OfType<BatchRecord>()
                .ToList();
}
