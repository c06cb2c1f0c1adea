using System.Globalization;

namespace AwsRunner.Bench.Report;

/// <summary>How the report writes numbers: the same way in every table.</summary>
internal static class Formats
{
    public static string Seconds(TimeSpan time) => time.TotalSeconds.ToString(time.TotalSeconds < 10 ? "0.00" : "0.0", CultureInfo.InvariantCulture) + " s";

    public static string Milliseconds(TimeSpan time) => time.TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture) + " ms";

    public static string Ratio(double ratio) => ratio.ToString(ratio < 10 ? "0.0" : "0", CultureInfo.InvariantCulture) + "x";

    public static string Count(long count) => count.ToString("#,0", CultureInfo.InvariantCulture);

    public static string MiB(long bytes) => (bytes / (1024.0 * 1024)).ToString("0.0", CultureInfo.InvariantCulture) + " MiB";

    public static string Optional(TimeSpan? time) => time is { } value ? Seconds(value) : "n/a";
}
