using System.Globalization;

namespace AwsRunner.Bench.Infrastructure;

/// <summary>
/// The peak of the summed resident memory (VmRSS) of every process whose environment holds one marker entry, sampled
/// every 100 ms from /proc: a tool's whole process tree, detached processes included, since every process inherits
/// the entry. A process is looked up once (its environment read when it is first seen); processes that live less than
/// a sample (a row's tar, say) can be missed, so the figure is the tree's standing memory, not every short peak.
/// </summary>
internal sealed class TreeMemoryWatch : IDisposable
{
    private static readonly TimeSpan Every = TimeSpan.FromMilliseconds(100);

    private readonly CancellationTokenSource stop = new();
    private readonly Task<long> watching;

    private TreeMemoryWatch(string entry, IReadOnlySet<string> ignored) => watching = Task.Run(() => WatchAsync(entry, ignored, stop.Token));

    /// <summary>The environment variable every measured process is given, with a value of the run's own.</summary>
    public const string Variable = "AWSRUNNER_BENCH_TREE";

    /// <summary>Watches the processes whose environment has <see cref="Variable"/>=<paramref name="value"/>, but for those whose command name is in <paramref name="ignored"/> (the measuring wrappers).</summary>
    public static TreeMemoryWatch Start(string value, params string[] ignored) => new($"{Variable}={value}", ignored.ToHashSet(StringComparer.Ordinal));

    /// <summary>The peak in KiB.</summary>
    public async Task<long> StopAsync()
    {
        await stop.CancelAsync();
        return await watching;
    }

    public void Dispose() => stop.Dispose();

    private static async Task<long> WatchAsync(string entry, IReadOnlySet<string> ignored, CancellationToken cancellationToken)
    {
        // pid and its start time (so that a reused pid is looked up again) -> whether it is one of the tree's.
        var known = new Dictionary<(int, string), bool>();
        long peak = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            long sum = 0;
            foreach (var folder in Directory.EnumerateDirectories("/proc"))
            {
                if (!int.TryParse(Path.GetFileName(folder), out var pid))
                {
                    continue;
                }

                try
                {
                    var stat = File.ReadAllText(Path.Combine(folder, "stat"));
                    var name = stat[(stat.IndexOf('(', StringComparison.Ordinal) + 1)..stat.LastIndexOf(')')];
                    var start = stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[19];
                    if (!known.TryGetValue((pid, start), out var ours))
                    {
                        ours = !ignored.Contains(name) && File.ReadAllText(Path.Combine(folder, "environ")).Split('\0').Contains(entry, StringComparer.Ordinal);
                        known[(pid, start)] = ours;
                    }

                    if (ours)
                    {
                        var line = File.ReadLines(Path.Combine(folder, "status")).FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
                        sum += line is null ? 0 : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
                    }
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    // The process ended while we looked, or is not ours to read.
                }
            }

            peak = Math.Max(peak, sum);
            try
            {
                await Task.Delay(Every, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        return peak;
    }
}
