using System.Text;
using AwsRunner.Bench.Infrastructure;
using AwsRunner.Bench.Report;

namespace AwsRunner.Bench.Measurements;

/// <summary>
/// Issue 7's measurement 3: a finished batch's results from moto's S3, <c>awsrunner fetch</c> (the real CLI) against
/// <c>aws s3 sync</c> of the same prefix, a first run into an empty folder and a second with nothing new. The timed
/// runs go straight to moto, the tools alternating; one more run of each goes through the counting proxy.
/// </summary>
internal sealed class FetchMeasurement : IMeasurement
{
    public const string Awsrunner = "awsrunner fetch";
    public const string Sync = "aws s3 sync";

    public string Name => "fetch";

    public async Task<ReportSection> RunAsync(BenchContext context, CancellationToken cancellationToken)
    {
        var scale = context.Scale;
        await context.Moto.ResetAsync(cancellationToken);
        var batch = await FetchBatchWriter.WriteAsync(context, "bench-fetch", scale.SmallJobs, scale.LargeJobs, (long)scale.LargeMiB << 20, cancellationToken);
        var first = new List<FetchRun>();
        var second = new List<FetchRun>();
        for (var round = 0; round < context.Options.Repeat; round++)
        {
            // Alternate which tool goes first, so neither always meets a warmer moto.
            var order = round % 2 == 0 ? new[] { Awsrunner, Sync } : [Sync, Awsrunner];
            foreach (var tool in order)
            {
                var (one, two) = await FetchTwiceAsync(context, batch, tool, context.Moto.Url, counted: false, cancellationToken);
                first.Add(one);
                second.Add(two);
            }
        }

        var counted = new List<(FetchRun First, FetchRun Second)>();
        foreach (var tool in new[] { Awsrunner, Sync })
        {
            counted.Add(await FetchTwiceAsync(context, batch, tool, context.Proxy.Url, counted: true, cancellationToken));
        }

        return new ReportSection(
            $"3. Fetch: {Formats.Count(batch.Jobs)} jobs, {batch.LargeJobs} of them with {scale.LargeMiB} MiB results",
            Render(batch, context.Options.Repeat, first, second, counted));
    }

    private static async Task<(FetchRun First, FetchRun Second)> FetchTwiceAsync(
        BenchContext context, FetchBatch batch, string tool, Uri endpoint, bool counted, CancellationToken cancellationToken)
    {
        var output = context.Work.Fresh("fetch", "out");
        var home = context.Work.Fresh("fetch", "home");
        var first = await FetchAsync(context, batch, tool, endpoint, output, home, counted, cancellationToken);
        FetchedTree.Check(tool, output, batch);
        var second = await FetchAsync(context, batch, tool, endpoint, output, home, counted, cancellationToken);
        Directory.Delete(output, recursive: true);
        return (first, second);
    }

    private static async Task<FetchRun> FetchAsync(
        BenchContext context, FetchBatch batch, string tool, Uri endpoint, string output, string home, bool counted, CancellationToken cancellationToken)
    {
        var url = endpoint.ToString().TrimEnd('/');
        context.Proxy.Tally.Clear();
        var moto = context.Moto.ProcessorTime;
        var result = tool == Awsrunner
            ? await context.Tools.RunAsync(context.Cli, ["fetch", batch.Name, output, "--cloud", "aws", "--endpoint-url", url, "--region", ToolEnvironment.Region, "-q"],
                context.Work.Path, cancellationToken, new Dictionary<string, string?> { ["AWSRUNNER_HOME"] = home })
            : await context.Tools.RunAsync("aws", ["--endpoint-url", url, "--region", ToolEnvironment.Region, "s3", "sync", $"s3://{batch.Name}/{batch.Name}/", output, "--only-show-errors", "--no-progress"],
                context.Work.Path, cancellationToken);
        return new FetchRun(tool, result, context.Moto.ProcessorTime - moto, counted ? await context.Proxy.Tally.SettledAsync(cancellationToken) : null);
    }

    private static string Render(FetchBatch batch, int repeat, List<FetchRun> first, List<FetchRun> second, List<(FetchRun First, FetchRun Second)> counted)
    {
        TimeSpan Wall(List<FetchRun> runs, string tool) => Median.Of(runs.Where(r => r.Tool == tool).Select(r => r.Result.Wall));
        string Cpu(List<FetchRun> runs, string tool) => runs.Any(r => r.Tool == tool && r.Result.Cpu is null)
            ? "n/a"
            : Formats.Seconds(Median.Of(runs.Where(r => r.Tool == tool).Select(r => r.Result.Cpu!.Value)));
        TimeSpan Moto(List<FetchRun> runs, string tool) => Median.Of(runs.Where(r => r.Tool == tool).Select(r => r.MotoCpu));
        string Ratio(Func<string, TimeSpan> of) => Formats.Ratio(of(Sync) / of(Awsrunner));
        RequestCounts Counts(string tool, bool isFirst)
        {
            var pair = counted.Single(c => c.First.Tool == tool);
            return (isFirst ? pair.First : pair.Second).Requests!;
        }

        string Requests(string tool, bool isFirst) => string.Join(", ", Counts(tool, isFirst).Operations("s3").Select(o => $"{o.Operation} {Formats.Count(o.Requests)}"));

        var table = new MarkdownTable("", Awsrunner, Sync, $"{Sync} / {Awsrunner}")
            .Row("first run: wall time (median)", Formats.Seconds(Wall(first, Awsrunner)), Formats.Seconds(Wall(first, Sync)), $"**{Ratio(t => Wall(first, t))}**")
            .Row("first run: the tool's CPU time", Cpu(first, Awsrunner), Cpu(first, Sync), "")
            .Row("first run: moto's CPU time", Formats.Seconds(Moto(first, Awsrunner)), Formats.Seconds(Moto(first, Sync)), Ratio(t => Moto(first, t)))
            .Row("first run: requests (counted run)", Requests(Awsrunner, isFirst: true), Requests(Sync, isFirst: true), "")
            .Row("first run: bytes received", Formats.MiB(Counts(Awsrunner, isFirst: true).Bytes("s3")), Formats.MiB(Counts(Sync, isFirst: true).Bytes("s3")), "")
            .Row("second run, nothing new: wall time (median)", Formats.Seconds(Wall(second, Awsrunner)), Formats.Seconds(Wall(second, Sync)), Ratio(t => Wall(second, t)))
            .Row("second run: requests (counted run)", Requests(Awsrunner, isFirst: false), Requests(Sync, isFirst: false), "")
            .Row("second run: GetObject", Formats.Count(Counts(Awsrunner, isFirst: false).Requests("s3", "GetObject")), Formats.Count(Counts(Sync, isFirst: false).Requests("s3", "GetObject")), "")
            .Row("peak memory (first run, median)", Formats.MiB(Median.Of(first.Where(r => r.Tool == Awsrunner).Select(r => (r.Result.PeakKiB ?? 0) * 1024))),
                Formats.MiB(Median.Of(first.Where(r => r.Tool == Sync).Select(r => (r.Result.PeakKiB ?? 0) * 1024))), "");

        var text = new StringBuilder();
        text.AppendLine($"The batch: {Formats.Count(batch.Objects)} objects, {Formats.MiB(batch.Bytes)}, under `s3://{batch.Name}/{batch.Name}/` " +
            "(per job heartbeat.json, job.log, status.json and results.tar.gz, which holds job.log, status.json and the job's output; and ledger.json). " +
            $"`{Sync}` copies every object of the prefix; `{Awsrunner}` downloads each finished job's archive and unpacks it, and reads job.log or status.json " +
            "on their own only where the unpacked copy differs. Both outputs are checked after each first run.");
        text.AppendLine();
        text.AppendLine(table.ToString());
        text.AppendLine($"Each tool ran {repeat} times alternately, straight to moto (a first and a second run each time); the request counts come from one more run of each through the counting proxy. " +
            "A listing (ListObjectsV2) is an HTTP GET on the bucket, not on an object.");
        text.AppendLine();
        text.AppendLine("All first runs (wall): " + string.Join("; ", new[] { Awsrunner, Sync }.Select(tool =>
            $"{tool} {string.Join(", ", first.Where(r => r.Tool == tool).Select(r => Formats.Seconds(r.Result.Wall)))}")) + ".");
        return text.ToString();
    }
}
