using System.Globalization;
using System.Text;
using AwsRunner.Core;

namespace AwsRunner.Bench.Measurements;

/// <summary>
/// Makes the fan-out's code folder: files of mixed sizes (a few large, many small, as a project with its data has),
/// a third of them random bytes that no compression shrinks, the rest text; and the INSTALL.sh that checks they all
/// arrived. The same seed every time, so that every run and both tools move the same bytes.
/// </summary>
internal static class FanOutCodeWriter
{
    private const int Seed = 7;
    private const int FilesPerFolder = 100;
    private const double SizeSpread = 1.6;

    private static readonly string[] Words =
        ["model", "batch", "result", "node", "weight", "input", "output", "vector", "matrix", "epoch", "sample", "value", "index", "train", "score"];

    public static async Task<FanOutCode> WriteAsync(BenchContext context, string parent, int files, long bytes, CancellationToken cancellationToken)
    {
        var source = Path.Combine(parent, "source");
        var random = new Random(Seed);
        var weights = Enumerable.Range(0, files).Select(_ => Math.Exp(SizeSpread * Gaussian(random))).ToList();
        var total = weights.Sum();
        long written = 0;
        for (var i = 0; i < files; i++)
        {
            var size = Math.Max(1, (long)(weights[i] / total * bytes));
            var incompressible = i % 3 == 0;
            var path = Path.Combine(source, "code", $"part{i / FilesPerFolder:00}", $"file{i:0000}.{(incompressible ? "bin" : "txt")}");
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            await File.WriteAllBytesAsync(path, incompressible ? RandomBytes(random, size) : Text(random, size), cancellationToken);
            written += size;
        }

        await File.WriteAllTextAsync(
            Path.Combine(source, "INSTALL.sh"),
            EmbeddedText.Read(typeof(FanOutCodeWriter).Assembly, "AwsRunner.Bench.Scripts.install.sh")
                .Replace("__FILES__", files.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal),
            cancellationToken);

        var bundle = Path.Combine(parent, "bundle.tgz");
        var tar = await context.Tools.RunAsync("tar", ["czf", bundle, "-C", source, "code", "INSTALL.sh"], parent, cancellationToken);
        return new FanOutCode(source, files, written, new FileInfo(bundle).Length, tar.Wall);
    }

    private static byte[] RandomBytes(Random random, long size)
    {
        var data = new byte[size];
        random.NextBytes(data);
        return data;
    }

    private static byte[] Text(Random random, long size)
    {
        var text = new StringBuilder();
        while (text.Length < size)
        {
            text.Append(CultureInfo.InvariantCulture, $"{Words[random.Next(Words.Length)]}_{random.Next(1000)} = {random.NextDouble():0.000000}\n");
        }

        return Encoding.ASCII.GetBytes(text.ToString(0, (int)size));
    }

    private static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
