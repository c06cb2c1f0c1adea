using System.Formats.Tar;
using System.Globalization;
using System.IO.Compression;
using System.Text;
using AwsRunner.Core.Cloud;
using AwsRunner.Core.Jobs;
using AwsRunner.Core.Node;

namespace AwsRunner.Core.Queue;

/// <summary>
/// One shard, <c>NAME/queue/TYPE/shard-NNNNN.tar.gz</c>: a gzip'd tar (no JSON: the node reads it with bash) with one
/// file a row, in row order, named by the row's index (<see cref="RowText"/>), and an <c>index</c> of its rows and
/// attempts. One file a row, not a folder of files: a node unpacks every row of its type, and on a disk that has just
/// deleted many files each new file costs far more than its bytes. Files are readable by their owner only: the URLs
/// are the authority to write the row's results.
/// </summary>
internal static class ShardArchive
{
    private const UnixFileMode FileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>The shard's bytes; <paramref name="writtenAt"/> is every entry's time, so that the same rows signed alike give the same bytes.</summary>
    public static byte[] Write(string batch, IEnumerable<QueueRow> rows, IUrlSigner signer, DateTimeOffset writtenAt)
    {
        using var archive = new MemoryStream();
        using (var gzip = new GZipStream(archive, CompressionLevel.Optimal, leaveOpen: true))
        using (var tar = new TarWriter(gzip, TarEntryFormat.Ustar, leaveOpen: true))
        {
            var index = new StringBuilder();
            foreach (var row in rows)
            {
                var attempts = row.Attempts.Select(a => (a, AttemptUrls.For(signer, batch, row.Index, a)));
                File(tar, JobIndex.Format(row.Index), RowText(row.Command, row.Variables, attempts), writtenAt);
                index.Append(IndexLine(row.Index, row.Attempts));
            }

            File(tar, QueueLayout.IndexFile, index.ToString(), writtenAt);
        }

        return archive.ToArray();
    }

    /// <summary>
    /// A row's file: fields each ended by a NUL, which bash's <c>mapfile -d ''</c> reads in one go: the command (the job
    /// file's cell), the number of variables, each variable as <c>NAME=VALUE</c>, then for each attempt of this run its
    /// number and its URLs (<see cref="AttemptUrls"/>), the lowest first.
    /// </summary>
    public static string RowText(string command, IEnumerable<KeyValuePair<string, string>> variables, IEnumerable<(int Attempt, string Urls)> attempts)
    {
        if (command.Contains('\0', StringComparison.Ordinal))
        {
            throw new ArgumentException("the command holds a NUL character, which no shell command can", nameof(command));
        }

        var list = variables.ToList();
        var text = new StringBuilder(command).Append('\0')
            .Append(list.Count.ToString(CultureInfo.InvariantCulture)).Append('\0')
            .Append(NodeVariables.Format(list));
        foreach (var (attempt, urls) in attempts)
        {
            text.Append(attempt.ToString(CultureInfo.InvariantCulture)).Append('\0').Append(urls).Append('\0');
        }

        return text.ToString();
    }

    /// <summary>A row's line of the index: its file's name, its lowest and its highest attempt of this run.</summary>
    public static string IndexLine(int index, IReadOnlyList<int> attempts) =>
        string.Create(CultureInfo.InvariantCulture, $"{JobIndex.Format(index)} {attempts[0]} {attempts[^1]}\n");

    private static void File(TarWriter tar, string name, string text, DateTimeOffset writtenAt)
    {
        using var data = new MemoryStream(Encoding.UTF8.GetBytes(text));
        tar.WriteEntry(new UstarTarEntry(TarEntryType.RegularFile, name) { Mode = FileMode, ModificationTime = writtenAt, DataStream = data });
    }
}
