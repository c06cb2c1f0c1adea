using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using AwsRunner.Bench.Infrastructure;
using AwsRunner.Bench.Report;

namespace AwsRunner.Bench.Measurements;

/// <summary>
/// Issue 23's dispatch of a large batch through the real CLI on the simulated fleet: <c>dispatch --create --dispatch</c>
/// of 10,000 rows to two nodes of two slots (<c>--max-instances 2 --slots 2</c>), its endpoint the counting proxy, so
/// that every byte awsrunner PUTs to the bucket is counted (goals: at most 25 MB besides the code bundle, 90 s); then
/// <c>status --json</c> and the table on that batch while its nodes work through it, and <c>down</c>. The rows are
/// <c>true</c>; the measurement does not wait for them.
/// </summary>
internal sealed partial class FleetDispatchMeasurement : IMeasurement
{
    private const int Instances = 2;
    private const int Slots = 2;
    private const int StatusRuns = 2;
    private const double GoalMegabytes = 25;
    private const double GoalSeconds = 90;

    public string Name => "fleet";

    public async Task<ReportSection> RunAsync(BenchContext context, CancellationToken cancellationToken)
    {
        var rows = context.Scale.FleetRows;
        var name = "bench-fleet";
        await context.Moto.ResetAsync(cancellationToken);
        var project = context.Work.Fresh("fleet", "project");
        var jobs = Path.Combine(project, "jobs.csv");
        await File.WriteAllTextAsync(jobs, "instance_type,command\n" + string.Concat(Enumerable.Repeat($"{FanOutSetup.InstanceType},true\n", rows)), cancellationToken);
        await using var fleet = await FanOutFleet.StartAsync(context.Work.Fresh("fleet", "fleet"), context.Moto.Url, cancellationToken);
        var environment = new Dictionary<string, string?> { ["AWSRUNNER_HOME"] = context.Work.Fresh("fleet", "home") };
        context.Proxy.Uploads.Clear();
        Progress($"dispatch --create --dispatch of {Formats.Count(rows)} rows");
        var dispatch = await context.Tools.RunAsync(context.Cli,
        [
            "dispatch", FanOutSetup.Image, name, jobs, "--create", "--dispatch", "--no-progress", "--verbose",
            "--max-instances", Instances.ToString(CultureInfo.InvariantCulture), "--slots", Slots.ToString(CultureInfo.InvariantCulture),
            "--cloud", "aws", "--region", ToolEnvironment.Region, "--endpoint-url", context.Proxy.Url.ToString(), "--ssh-cidr", "127.0.0.1/32",
            "--ssh-user", fleet.SshUser, "--ssh-proxy", fleet.SshProxy,
        ], project, cancellationToken, environment);
        var bundle = context.Proxy.Uploads.Of(UploadTally.Bundle);
        var own = context.Proxy.Uploads.Of(UploadTally.Awsrunner);
        var published = PublishedPattern().Match(dispatch.Error + dispatch.Output);

        var statuses = new List<(ToolResult Run, int Rows, int Done)>();
        ToolResult? table = null;
        try
        {
            for (var i = 0; i < StatusRuns; i++)
            {
                Progress($"status --json, run {i + 1}");
                var run = await context.Tools.RunAsync(context.Cli, ["status", name, "--json"], project, cancellationToken, environment);
                using var document = JsonDocument.Parse(run.Output);
                var listed = document.RootElement.GetProperty("jobs").GetArrayLength();
                var done = document.RootElement.GetProperty("counts").TryGetProperty("done", out var d) ? d.GetInt32() : 0;
                statuses.Add((run, listed, done));
            }

            Progress("status (the table)");
            table = await context.Tools.RunAsync(context.Cli, ["status", name], project, cancellationToken, environment);
        }
        finally
        {
            Progress("down");
            await context.Tools.RunAnyAsync(context.Cli, ["down", name, "--yes"], project, cancellationToken, environment);
            await context.Moto.ResetAsync(cancellationToken);
            await fleet.WaitNoNodesAsync(cancellationToken);
        }

        return new ReportSection($"8. A dispatch of {Formats.Count(rows)} rows on the simulated fleet, and its status", Render(rows, dispatch, bundle, own, published, statuses, table));
    }

    private static string Render(
        int rows, ToolResult dispatch, (long Requests, long Bytes) bundle, (long Requests, long Bytes) own, Match published,
        List<(ToolResult Run, int Rows, int Done)> statuses, ToolResult table)
    {
        var megabytes = own.Bytes / 1e6;
        var wall = dispatch.Wall.TotalSeconds;
        var dispatchTable = new MarkdownTable("", $"`dispatch --create --dispatch`, {Formats.Count(rows)} rows, --max-instances {Instances} --slots {Slots}")
            .Row($"**bytes awsrunner uploaded besides the code bundle** (goal: {GoalMegabytes:0} MB)", $"**{Megabytes(own.Bytes)}** in {Formats.Count(own.Requests)} PUTs: **{(megabytes <= GoalMegabytes ? "met" : "not met")}**")
            .Row("of it, the queue's shards (awsrunner's log)", published.Success ? $"{Megabytes(long.Parse(published.Groups["bytes"].Value, CultureInfo.InvariantCulture))} in {published.Groups["shards"].Value} shards" : "n/a")
            .Row("the code bundle (not counted above)", $"{Formats.Count(bundle.Bytes)} bytes in {Formats.Count(bundle.Requests)} PUTs")
            .Row($"**wall time, create + dispatch** (goal: {GoalSeconds:0} s)", $"**{Formats.Seconds(dispatch.Wall)}**: **{(wall <= GoalSeconds ? "met" : "not met")}**")
            .Row("of it, publishing the queue (sign, pack, upload; awsrunner's log)", published.Success ? published.Groups["seconds"].Value + " s" : "n/a")
            .Row("CPU time (awsrunner and its children)", Formats.Optional(dispatch.Cpu))
            .Row("peak memory (awsrunner's process)", dispatch.PeakKiB is { } kib ? Formats.MiB(kib * 1024) : "n/a");
        var statusTable = new MarkdownTable("", "rows listed", "of them done then", "wall time", "CPU time", "peak memory");
        foreach (var (run, listed, done) in statuses)
        {
            statusTable.Row("`status NAME --json`", Formats.Count(listed), Formats.Count(done), Formats.Seconds(run.Wall), Formats.Optional(run.Cpu), run.PeakKiB is { } k ? Formats.MiB(k * 1024) : "n/a");
        }

        statusTable.Row("`status NAME` (the table)", Formats.Count(Lines(table.Output, rows)), "", Formats.Seconds(table.Wall), Formats.Optional(table.Cpu), table.PeakKiB is { } t ? Formats.MiB(t * 1024) : "n/a");
        return new StringBuilder()
            .AppendLine(CultureInfo.InvariantCulture, $"The real CLI on the simulated fleet (moto and one sshd a node on 127.0.0.1, as in measurement 1), its endpoint the counting proxy: " +
                $"`awsrunner dispatch ami NAME jobs.csv --create --dispatch --max-instances {Instances} --slots {Slots}` of {Formats.Count(rows)} rows `true` of one type, " +
                $"3 attempts a row by default, no code but the job file's folder. The bytes are the bodies of the S3 PUTs awsrunner sent (the ledger, the queue's shards, the bucket's markers), " +
                $"told from the nodes' own PUTs (claims, heartbeats, results: curl) and from the code bundle by the proxy. The wall time runs from the command's start to its exit: " +
                $"key pair, security group, bucket, bundle, ledger, the queue, launching both instances, their sshd coming up, the install, and handing each node its work.")
            .AppendLine()
            .Append(dispatchTable)
            .AppendLine()
            .AppendLine("Then, while both nodes worked through the rows (their claims and uploads going to the same moto), `status` read the batch: " +
                "the ledger, one DescribeInstances, one listing of the queue's claims and one of the jobs' objects, then each finished row's `status.json` once.")
            .AppendLine()
            .Append(statusTable)
            .ToString();
    }

    // The table prints a line a row: count those that start with a row's zero-padded index.
    private static int Lines(string output, int rows) =>
        output.Split('\n').Count(l => l.Length > 4 && char.IsAsciiDigit(l[0]) && char.IsAsciiDigit(l[3]) && int.TryParse(l.AsSpan(0, l.IndexOf(' ') is > 0 and var e ? e : l.Length), out var i) && i < rows);

    private static string Megabytes(long bytes) => (bytes / 1e6).ToString("0.00", CultureInfo.InvariantCulture) + " MB";

    private static void Progress(string what) => Console.Error.WriteLine($"  fleet: {what}");

    [GeneratedRegex(@"Published the queue of [^:]+: (?<rows>\d+) rows in (?<shards>\d+) shards, (?<bytes>\d+) bytes, in (?<seconds>[0-9.]+) s")]
    private static partial Regex PublishedPattern();
}
