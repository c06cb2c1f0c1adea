using System.IO.Compression;
using System.Text;

namespace AwsRunner.Tests.Support;

/// <summary>Reads and writes a gzip file's text, as a person editing an object of the bucket would.</summary>
internal static class Gzip
{
    public static string ReadText(string path)
    {
        using var gzip = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
        using var reader = new StreamReader(gzip, Encoding.UTF8);
        return reader.ReadToEnd();
    }

    public static void WriteText(string path, string text)
    {
        using var gzip = new GZipStream(File.Create(path), CompressionLevel.Optimal);
        gzip.Write(Encoding.UTF8.GetBytes(text));
    }
}
