namespace AwsRunner.Bench.Infrastructure;

/// <summary>The middle of several runs: one slow run (a page-cache miss, a neighbour's burst) does not move it.</summary>
internal static class Median
{
    public static TimeSpan Of(IEnumerable<TimeSpan> samples)
    {
        var sorted = samples.Order().ToList();
        if (sorted.Count == 0)
        {
            throw new ArgumentException("no samples", nameof(samples));
        }

        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }

    public static long Of(IEnumerable<long> samples) => (long)Of(samples.Select(s => TimeSpan.FromTicks(s))).Ticks;
}
