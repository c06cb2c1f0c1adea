using System.Globalization;
using System.Reflection;
using System.Text;
using AwsRunner.Bench.Infrastructure;
using AwsRunner.Bench.Report;

namespace AwsRunner.Bench.Measurements;

/// <summary>
/// Issue 23's dispatch through the bucket: a batch of 10,000 rows (3 attempts each) published as its queue to moto,
/// through the counting proxy, by a process of its own (<see cref="QueuePublishRun"/>): the bytes it uploads besides
/// the code bundle (goal: 25 MB at most), its time (goal: 90 s at most), CPU and peak memory; the same for 100,000
/// rows; and how fast URLs are signed.
/// </summary>
internal sealed class QueueMeasurement : IMeasurement
{
    private const int Attempts = 3;

    public string Name => "queue";

    public async Task<ReportSection> RunAsync(BenchContext context, CancellationToken cancellationToken)
    {
        var sizes = new[] { context.Scale.QueueRows, context.Scale.QueueRowsLarge };
        var runs = new List<(int Rows, ToolResult Result, Dictionary<string, double> Said, long PutObjects)>();
        foreach (var rows in sizes)
        {
            // moto keeps every object in memory: each size starts from an empty moto.
            await context.Moto.ResetAsync(cancellationToken);
            context.Proxy.Tally.Clear();
            var result = await context.Tools.RunAsync(Self.Program,
                [.. Self.Arguments, QueuePublishRun.PublishMode, context.Proxy.Url.ToString(), $"bench-queue-{rows}", rows.ToString(CultureInfo.InvariantCulture), Attempts.ToString(CultureInfo.InvariantCulture)],
                context.Work.Path, cancellationToken);
            var counts = await context.Proxy.Tally.SettledAsync(cancellationToken);
            runs.Add((rows, result, Said(result), counts.Requests("s3", "PutObject")));
        }

        await context.Moto.ResetAsync(cancellationToken);
        var speed = Said(await context.Tools.RunAsync(Self.Program, [.. Self.Arguments, QueuePublishRun.SignMode], context.Work.Path, cancellationToken));
        return new ReportSection($"7. Dispatch through the bucket: the queue of {Formats.Count(sizes[0])} rows", Render(runs, speed));
    }

    private static string Render(List<(int Rows, ToolResult Result, Dictionary<string, double> Said, long PutObjects)> runs, Dictionary<string, double> speed)
    {
        var table = new MarkdownTable(["", .. runs.Select(r => $"{Formats.Count(r.Rows)} rows")]);
        void Row(string label, Func<(int Rows, ToolResult Result, Dictionary<string, double> Said, long PutObjects), string> cell) =>
            table.Row([label, .. runs.Select(cell)]);
        Row("URLs signed (6 an attempt, shards, LIST pages)", r => Formats.Count((long)r.Said["urls_signed"]));
        Row("shards uploaded (PutObject requests, ledger and bucket's own included)", r => $"{Formats.Count((long)r.Said["shards"])} ({Formats.Count(r.PutObjects)})");
        Row("bytes uploaded: the shards", r => Megabytes((long)r.Said["shard_bytes"]));
        Row("bytes uploaded: ledger.json.gz (once)", r => Megabytes((long)r.Said["ledger_bytes"]));
        Row("**bytes uploaded besides the code bundle** (goal for 10,000: 25 MB)", r => $"**{Megabytes((long)(r.Said["shard_bytes"] + r.Said["ledger_bytes"]))}**");
        Row("bytes a row (shards and ledger)", r => Formats.Count((long)((r.Said["shard_bytes"] + r.Said["ledger_bytes"]) / r.Rows)));
        Row("**wall time, the whole process** (goal for 10,000: 90 s)", r => $"**{Formats.Seconds(r.Result.Wall)}**");
        Row("of it, publishing the queue (sign, pack, upload)", r => Formats.Seconds(TimeSpan.FromSeconds(r.Said["publish_seconds"])));
        Row("CPU time", r => Formats.Optional(r.Result.Cpu));
        Row("peak memory", r => r.Result.PeakKiB is { } kib ? Formats.MiB(kib * 1024) : "n/a");
        Row("LIST pages a node of one type reads", r => Formats.Count((long)r.Said["lists_first_type"]));
        Row("a node's work.env and queue.env (over SSH)", r => $"{(r.Said["node_env_bytes"] / 1024).ToString("0", CultureInfo.InvariantCulture)} KiB");

        var text = new StringBuilder()
            .AppendLine("A process of its own (awsrunner's library, Release) makes the bucket, writes the ledger and publishes the queue to moto through the counting proxy, " +
                $"as `dispatch` will: rows of three instance types with three variables each (as in measurement 4), {Attempts} attempts a row (`--max-retries 2`), " +
                "in shards of 1,000 rows, each attempt with its claim, heartbeat, done, status, log and results URLs. " +
                "Bytes are the objects' bodies. " +
                "Launching, installing and the SSH hand-over are not in these numbers.")
            .AppendLine()
            .Append(table)
            .AppendLine()
            .AppendLine(CultureInfo.InvariantCulture, $"Signing, CPU a URL: awsrunner's SigV4 signer {Micro(speed["signer_put_us"])} (a PUT), {Micro(speed["signer_claim_us"])} (a claim, " +
                $"two more signed headers), {Micro(speed["signer_list_us"])} (a LIST page); AWSSDK.S3's `GetPreSignedURLAsync` {Micro(speed["sdk_put_us"])} (a PUT).")
            .AppendLine()
            .AppendLine(CultureInfo.InvariantCulture, $"moto's credentials carry no session token. With one of 800 characters (SSO, an assumed role) a URL grows from " +
                $"{Formats.Count((long)speed["url_plain_bytes"])} to {Formats.Count((long)speed["url_token_bytes"])} bytes, and a shard of 1,000 rows from " +
                $"{Megabytes((long)speed["shard_plain_bytes"])} to {Megabytes((long)speed["shard_token_bytes"])}: the token is the same in every URL, which gzip mostly takes back.");
        return text.ToString();
    }

    private static string Megabytes(long bytes) => (bytes / 1e6).ToString("0.0", CultureInfo.InvariantCulture) + " MB";

    private static string Micro(double microseconds) => microseconds.ToString("0.0", CultureInfo.InvariantCulture) + " µs";

    private static Dictionary<string, double> Said(ToolResult result) =>
        result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(l => l.Split('=', 2))
            .Where(p => p.Length == 2)
            .ToDictionary(p => p[0], p => double.Parse(p[1], CultureInfo.InvariantCulture), StringComparer.Ordinal);

    /// <summary>How to start this benchmark program again: the dotnet host with its assembly, or its own launcher.</summary>
    private static class Self
    {
        public static string Program { get; } = Environment.ProcessPath!;

        public static string[] Arguments { get; } =
            Path.GetFileNameWithoutExtension(Program) == "dotnet" ? [Assembly.GetExecutingAssembly().Location] : [];
    }
}
