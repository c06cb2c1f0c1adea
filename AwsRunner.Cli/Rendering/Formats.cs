using System.Globalization;

namespace AwsRunner.Cli.Rendering;

/// <summary>How times, sizes and tables look on the console.</summary>
internal static class Formats
{
    public static string Elapsed(TimeSpan? span) => span switch
    {
        null => "-",
        { TotalSeconds: < 0 } => "-",
        { TotalHours: >= 1 } s => $"{(int)s.TotalHours}h{s.Minutes:D2}m",
        { TotalMinutes: >= 1 } s => $"{s.Minutes}m{s.Seconds:D2}s",
        var s => $"{s.Value.Seconds}s",
    };

    /// <summary>A duration as the options take it: 90s, 10m, 6h.</summary>
    public static string Duration(TimeSpan span) => span switch
    {
        { TotalHours: >= 1 } when span.TotalHours == Math.Floor(span.TotalHours) => string.Create(CultureInfo.InvariantCulture, $"{span.TotalHours}h"),
        { TotalMinutes: >= 1 } when span.TotalMinutes == Math.Floor(span.TotalMinutes) => string.Create(CultureInfo.InvariantCulture, $"{span.TotalMinutes}m"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{span.TotalSeconds}s"),
    };

    public static string Ago(DateTimeOffset? when, DateTimeOffset now) =>
        when is null ? "-" : Elapsed(now - when.Value) + " ago";

    public static string Bytes(long bytes) => bytes switch
    {
        >= 1L << 30 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 30):0.#} GiB"),
        >= 1L << 20 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 20):0.#} MiB"),
        >= 1L << 10 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0:0.#} KiB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes} B"),
    };

    /// <summary>Left-aligned columns, two spaces apart.</summary>
    public static IEnumerable<string> Table(IReadOnlyList<string> header, IEnumerable<IReadOnlyList<string>> rows)
    {
        var all = rows.Prepend(header).ToList();
        var widths = header.Select((_, i) => all.Max(r => r[i].Length)).ToArray();
        return all.Select(r => string.Join("  ", r.Select((cell, i) => i == r.Count - 1 ? cell : cell.PadRight(widths[i]))).TrimEnd());
    }
}
