using System.Globalization;
using System.Text.Json;

namespace AwsRunner.Tests.Support;

/// <summary>
/// The figures docs/reliability.md quotes, as the tests of this run measured them: faults injected (by kind), batches
/// run on the simulated fleet, their results expected and fetched intact, and instances they left behind. Written
/// at the end of the run to TestResults/reliability.json, with the one-line summary test.sh prints.
/// </summary>
internal static class ReliabilityLedger
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };
    private static readonly Lock Gate = new();
    private static readonly SortedDictionary<string, int> Faults = new(StringComparer.Ordinal);
    private static int batches;
    private static int resultsExpected;
    private static int resultsFetched;
    private static int instancesLeft;

    public static string Folder => Repository.File("TestResults");

    public static void Fault(string kind, int count)
    {
        lock (Gate)
        {
            Faults[kind] = Faults.GetValueOrDefault(kind) + count;
        }
    }

    /// <summary>A batch ended, leaving <paramref name="left"/> instances not terminated.</summary>
    public static void BatchEnded(int left)
    {
        lock (Gate)
        {
            batches++;
            instancesLeft += left;
        }
    }

    /// <summary>A fetch brought home <paramref name="fetched"/> of <paramref name="expected"/> results, each checked byte for byte.</summary>
    public static void Results(int expected, int fetched)
    {
        lock (Gate)
        {
            resultsExpected += expected;
            resultsFetched += fetched;
        }
    }

    public static void Write()
    {
        lock (Gate)
        {
            if (batches == 0 && Faults.Count == 0)
            {
                return;
            }

            var total = Faults.Values.Sum();
            var summary = string.Create(CultureInfo.InvariantCulture,
                $"reliability: {total} faults injected ({string.Join(", ", Faults.Select(f => $"{f.Key} {f.Value}"))}), {batches} fleet batches run, " +
                $"{resultsExpected - resultsFetched} of {resultsExpected} results lost, {instancesLeft} instances left behind");
            var figures = new
            {
                faults_injected = Faults,
                faults_total = total,
                batches_run = batches,
                results_expected = resultsExpected,
                results_fetched = resultsFetched,
                results_lost = resultsExpected - resultsFetched,
                instances_left = instancesLeft,
                summary,
            };
            Directory.CreateDirectory(Folder);
            File.WriteAllText(Path.Combine(Folder, "reliability.json"), JsonSerializer.Serialize(figures, Indented) + "\n");
        }
    }
}
