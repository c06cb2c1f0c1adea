using System.Formats.Tar;
using System.Globalization;
using System.IO.Compression;

namespace AwsRunner.Tests.Queue;

/// <summary>A shard unpacked in memory: its entries in order, with their content and mode, and its rows' files read as the node reads them.</summary>
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

    /// <summary>A row's file as its fields: the command, the variable count, the variables, then each attempt's number and URLs.</summary>
    public IReadOnlyList<string> Fields(string row)
    {
        var text = Text(row);
        return text.EndsWith('\0') ? text[..^1].Split('\0') : throw new FormatException($"{row} does not end with a NUL");
    }

    /// <summary>The row's variables, as NAME=VALUE.</summary>
    public IReadOnlyList<string> Variables(string row)
    {
        var fields = Fields(row);
        return fields.Skip(2).Take(int.Parse(fields[1], CultureInfo.InvariantCulture)).ToList();
    }

    /// <summary>The attempts of the row's file, lowest first, with their URLs' text.</summary>
    public IReadOnlyList<(int Attempt, string Urls)> Attempts(string row)
    {
        var fields = Fields(row);
        var first = 2 + int.Parse(fields[1], CultureInfo.InvariantCulture);
        return Enumerable.Range(0, (fields.Count - first) / 2)
            .Select(i => (int.Parse(fields[first + 2 * i], CultureInfo.InvariantCulture), fields[first + 2 * i + 1])).ToList();
    }

    /// <summary>The variables of an attempt's URLs, as bash would source them (single-quoted values).</summary>
    public IReadOnlyDictionary<string, string> Urls(string row, int attempt) =>
        Attempts(row).Single(a => a.Attempt == attempt).Urls.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Where(l => !l.StartsWith('#'))
            .Select(l => l.Split('=', 2))
            .ToDictionary(p => p[0], p => p[1].Trim('\''));
}
