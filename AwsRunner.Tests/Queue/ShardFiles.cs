using System.Formats.Tar;
using System.IO.Compression;

namespace AwsRunner.Tests.Queue;

/// <summary>A shard unpacked in memory: its entries in order, with their content and mode.</summary>
internal sealed record ShardFiles(IReadOnlyList<(string Name, TarEntryType Type, UnixFileMode Mode, byte[] Content)> Entries)
{
    public static ShardFiles Read(byte[] shard)
    {
        using var gzip = new GZipStream(new MemoryStream(shard), CompressionMode.Decompress);
        using var tar = new TarReader(gzip);
        var entries = new List<(string, TarEntryType, UnixFileMode, byte[])>();
        while (tar.GetNextEntry() is { } entry)
        {
            using var content = new MemoryStream();
            entry.DataStream?.CopyTo(content);
            entries.Add((entry.Name, entry.EntryType, entry.Mode, content.ToArray()));
        }

        return new ShardFiles(entries);
    }

    public IEnumerable<string> Names => Entries.Select(e => e.Name);

    public byte[] this[string name] => Entries.Single(e => e.Name == name).Content;

    public string Text(string name) => System.Text.Encoding.UTF8.GetString(this[name]);

    /// <summary>The variables of a <c>K.urls</c> file, as bash would source them (single-quoted values).</summary>
    public IReadOnlyDictionary<string, string> Urls(string name) =>
        Text(name).Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Where(l => !l.StartsWith('#'))
            .Select(l => l.Split('=', 2))
            .ToDictionary(p => p[0], p => p[1].Trim('\''));
}
