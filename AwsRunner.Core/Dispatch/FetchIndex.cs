using System.Text.Json;

namespace AwsRunner.Core.Dispatch;

/// <summary>
/// What earlier fetches brought into an output folder (<c>.awsrunner-fetch.json</c>): each object's ETag and size,
/// so that a second fetch downloads only what changed; for a results archive also the files it unpacked, so that a
/// job whose copy was deleted or changed here is downloaded again.
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
            ? JsonSerializer.Deserialize<Dictionary<string, Entry>>(File.ReadAllBytes(path), Ledger.LedgerDocument.Json) ?? []
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

    /// <summary>
    /// Whether this archive was unpacked into <paramref name="folder"/> and every file it brought is still there, of
    /// the same size. An entry written before the files were recorded cannot tell, so it counts as not there.
    /// </summary>
    public bool HasUnpacked(string key, string etag, long size, string folder)
    {
        IReadOnlyDictionary<string, long>? files;
        lock (gate)
        {
            if (!entries.TryGetValue(key, out var entry) || entry.ETag != etag || entry.Size != size)
            {
                return false;
            }

            files = entry.Files;
        }

        return files is not null && files.All(f =>
        {
            var file = new FileInfo(Path.Combine(folder, f.Key));
            return file.Exists && file.LinkTarget is null && file.Length == f.Value;
        });
    }

    /// <summary>Records an object; for an archive, with the files it unpacked (relative to its job's folder) and their sizes.</summary>
    public void Add(string key, string etag, long size, IReadOnlyDictionary<string, long>? files = null)
    {
        lock (gate)
        {
            entries[key] = new Entry(etag, size, files);
        }
    }

    public void Save()
    {
        lock (gate)
        {
            File.WriteAllBytes(path + ".tmp", JsonSerializer.SerializeToUtf8Bytes(entries, Ledger.LedgerDocument.Json));
            File.Move(path + ".tmp", path, overwrite: true);
        }
    }

    private sealed record Entry(string ETag, long Size, IReadOnlyDictionary<string, long>? Files = null);
}
