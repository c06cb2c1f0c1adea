using System.Formats.Tar;
using System.Text;

namespace AwsRunner.Core.Node;

/// <summary>
/// Files for the runner's folder as one uncompressed tar stream, the stdin of a command on the node: one stream
/// carries any number of files, and a file more is one entry more.
/// </summary>
internal static class NodeFilesTar
{
    /// <summary>The tar stream, positioned at its start; each file readable by its owner only.</summary>
    public static MemoryStream Write(IEnumerable<KeyValuePair<string, string>> files)
    {
        var stream = new MemoryStream();
        using (var tar = new TarWriter(stream, TarEntryFormat.Pax, leaveOpen: true))
        {
            foreach (var (name, text) in files)
            {
                using var data = new MemoryStream(Encoding.UTF8.GetBytes(text));
                tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, name)
                {
                    Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
                    DataStream = data,
                });
            }
        }

        stream.Position = 0;
        return stream;
    }
}
