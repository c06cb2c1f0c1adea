using System.Formats.Tar;
using System.Globalization;
using System.IO.Compression;
using System.Text;
using AwsRunner.Core.Cloud;
using AwsRunner.Core.Jobs;
using AwsRunner.Core.Node;

namespace AwsRunner.Core.Queue;

/// <summary>
/// One shard, <c>NAME/queue/TYPE/shard-NNNNN.tar.gz</c>: a gzip'd tar (no JSON: the node reads it with bash) with a
/// folder per row, in row order, named by the row's index: its <c>command</c>, its <c>vars</c> and one
/// <c>K.urls</c> per attempt it may have in this run. Files are readable by their owner only: the URLs are the
/// authority to write the row's results.
/// </summary>
internal static class ShardArchive
{
    private const UnixFileMode FileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode FolderMode = FileMode | UnixFileMode.UserExecute;

    /// <summary>The shard's bytes; <paramref name="writtenAt"/> is every entry's time, so that the same rows signed alike give the same bytes.</summary>
    public static byte[] Write(string batch, IEnumerable<QueueRow> rows, IUrlSigner signer, DateTimeOffset writtenAt)
    {
        using var archive = new MemoryStream();
        using (var gzip = new GZipStream(archive, CompressionLevel.Optimal, leaveOpen: true))
        using (var tar = new TarWriter(gzip, TarEntryFormat.Ustar, leaveOpen: true))
        {
            foreach (var row in rows)
            {
                var folder = JobIndex.Format(row.Index) + "/";
                tar.WriteEntry(new UstarTarEntry(TarEntryType.Directory, folder) { Mode = FolderMode, ModificationTime = writtenAt });
                File(tar, folder + QueueLayout.CommandFile, row.Command, writtenAt);
                File(tar, folder + QueueLayout.VariablesFile, NodeVariables.Format(row.Variables), writtenAt);
                foreach (var attempt in row.Attempts)
                {
                    File(tar, folder + attempt.ToString(CultureInfo.InvariantCulture) + QueueLayout.AttemptUrlsSuffix,
                        AttemptUrls.For(signer, batch, row.Index, attempt), writtenAt);
                }
            }
        }

        return archive.ToArray();
    }

    private static void File(TarWriter tar, string name, string text, DateTimeOffset writtenAt)
    {
        using var data = new MemoryStream(Encoding.UTF8.GetBytes(text));
        tar.WriteEntry(new UstarTarEntry(TarEntryType.RegularFile, name) { Mode = FileMode, ModificationTime = writtenAt, DataStream = data });
    }
}
