namespace AwsRunner.Bench.Measurements;

/// <summary>Checks that a fetch brought everything: a fast tool that leaves results behind would win nothing.</summary>
internal static class FetchedTree
{
    private static readonly string[] JobFiles = ["status.json", "job.log", "output/result.csv"];
    private static readonly string[] Objects = ["status.json", "job.log", "heartbeat.json", "results.tar.gz"];

    public static void Check(string tool, string output, FetchBatch batch)
    {
        // aws s3 sync mirrors the prefix (jobs/0007/results.tar.gz ...); awsrunner unpacks into 0007/.
        var byTool = tool == FetchMeasurement.Awsrunner
            ? Enumerable.Range(0, batch.Jobs).SelectMany(i => JobFiles.Select(f => $"{i:0000}/{f}"))
            : Enumerable.Range(0, batch.Jobs).SelectMany(i => Objects.Select(f => $"jobs/{i:0000}/{f}"));
        var missing = byTool.Where(f => !File.Exists(Path.Combine(output, f))).Take(5).ToList();
        var large = Enumerable.Range(batch.Jobs - batch.LargeJobs, batch.LargeJobs)
            .Select(i => tool == FetchMeasurement.Awsrunner ? Path.Combine(output, $"{i:0000}", "output", "model.bin") : Path.Combine(output, "jobs", $"{i:0000}", "results.tar.gz"))
            .Where(f => !File.Exists(f) || new FileInfo(f).Length < batch.LargeBytes)
            .Take(5)
            .ToList();
        if (missing.Count > 0 || large.Count > 0)
        {
            throw new InvalidOperationException($"{tool} left out {string.Join(", ", missing.Concat(large))}");
        }
    }
}
