using System.Text.Json;

namespace AwsRunner.Core.Dispatch;

/// <summary>
/// What earlier fetches brought into an output folder (<c>.awsrunner-fetch.json</c>): each object's ETag and size,
/// so that a second fetch downloads only what changed.
/// </summary>
internal sealed class FetchIndex
{
    private const string FileName = ".awsrunner-fetch.json";
    private readonly string path;
    private readonly Dictionary<string, Entry> entries;
    private readonly Lock gate = new();

    private FetchIndex(string path, Dictionary<string, Entry> entries)
    {
        this.path = path;
        this.entries = entries;
    }

    public static FetchIndex Load(string folder)
    {
        var path = Path.Combine(folder, FileName);
        var entries = File.Exists(path)
            ? JsonSerializer.Deserialize<Dictionary<string, Entry>>(File.ReadAllBytes(path), BatchManifest.Json) ?? []
            : [];
        return new FetchIndex(path, entries);
    }

    public bool Has(string key, string etag, long size)
    {
        lock (gate)
        {
            return entries.TryGetValue(key, out var entry) && entry.ETag == etag && entry.Size == size;
        }
    }

    public void Add(string key, string etag, long size)
    {
        lock (gate)
        {
            entries[key] = new Entry(etag, size);
        }
    }

    public void Save()
    {
        lock (gate)
        {
            File.WriteAllBytes(path + ".tmp", JsonSerializer.SerializeToUtf8Bytes(entries, BatchManifest.Json));
            File.Move(path + ".tmp", path, overwrite: true);
        }
    }

    private sealed record Entry(string ETag, long Size);
}
