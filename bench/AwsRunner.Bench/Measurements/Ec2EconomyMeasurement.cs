using System.Diagnostics;
using System.Globalization;
using System.Text;
using AwsRunner.Bench.Infrastructure;
using AwsRunner.Bench.Report;
using AwsRunner.Core.Cloud;
using AwsRunner.Core.Cloud.Aws;
using AwsRunner.Core.Dispatch;
using Microsoft.Extensions.Logging.Abstractions;

namespace AwsRunner.Bench.Measurements;

/// <summary>
/// Issue 7's measurement 2: EC2 requests to launch instances of two types on moto and follow them to running, counted
/// by the proxy. awsrunner runs its real create (the library's <see cref="BatchRunner"/>, as the CLI calls it) until it
/// first wants a node over SSH; the original tool's pattern is run beside it, and computed for the full size.
/// </summary>
internal sealed class Ec2EconomyMeasurement : IMeasurement
{
    private const string Image = "ami-760aaa0f";
    private static readonly string[] Types = ["t3.micro", "c5.large"];

    public string Name => "ec2";

    public async Task<ReportSection> RunAsync(BenchContext context, CancellationToken cancellationToken)
    {
        var scale = context.Scale;
        // A first create pays for warming up (moto's EC2 backend, the JIT); it is not reported.
        await RunAwsrunnerAsync(context, "warm-up", Rows(2, interleaved: false), cancellationToken);
        var grouped = await RunAwsrunnerAsync(context, "grouped", Rows(scale.Instances, interleaved: false), cancellationToken);
        var interleaved = await RunAwsrunnerAsync(context, "interleaved", Rows(scale.Instances, interleaved: true), cancellationToken);
        var small = await RunAwsrunnerAsync(context, "small", Rows(scale.OriginalInstances, interleaved: false), cancellationToken);
        await context.Moto.ResetAsync(cancellationToken);
        var original = await new OriginalLaunchPattern(context.Proxy.Url, context.Proxy.Tally)
            .RunAsync(Image, Rows(scale.OriginalInstances, interleaved: false), TimeSpan.FromSeconds(2), cancellationToken);
        return new ReportSection($"2. EC2 API economy: {Formats.Count(scale.Instances)} instances of 2 types", Render(scale, grouped, interleaved, small, original));
    }

    private static async Task<LaunchCount> RunAwsrunnerAsync(BenchContext context, string layout, IReadOnlyList<string> rows, CancellationToken cancellationToken)
    {
        await context.Moto.ResetAsync(cancellationToken);
        context.Proxy.Tally.Clear();
        var name = $"bench-{layout}";
        var folder = context.Work.Fresh("ec2", name);
        var jobFile = Path.Combine(folder, "jobs.csv");
        await File.WriteAllTextAsync(jobFile, "instance_type,command\n" + string.Concat(rows.Select(type => $"{type},echo hello\n")), cancellationToken);
        var home = context.Work.Fresh("ec2", name + "-home");

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var shell = new StopBeforeSshShell(stop);
        var options = new AwsCloudOptions { Region = ToolEnvironment.Region, EndpointUrl = context.Proxy.Url.ToString(), SshCidr = "127.0.0.1/32" };
        await using var connection = AwsCloudConnection.Open(options, shell, home, TimeProvider.System, NullLoggerFactory.Instance);
        var phases = new LaunchPhases(context.Proxy.Tally);
        var clock = Stopwatch.StartNew();
        try
        {
            await new BatchRunner(connection, home).DispatchAsync(new DispatchOptions { ImageId = Image, Name = name, JobFile = jobFile, Create = true }, phases, stop.Token);
            throw new InvalidOperationException("create finished without wanting a node over SSH");
        }
        catch (OperationCanceledException) when (shell.Reached && !cancellationToken.IsCancellationRequested)
        {
            // Create got as far as SSH: launching and tracking are done.
        }

        var end = context.Proxy.Tally.Read();
        var atLaunch = phases.AtLaunch ?? throw new InvalidOperationException("create never launched");
        var atTracking = phases.AtTracking ?? throw new InvalidOperationException("create never tracked");
        var tracking = end.Minus(atTracking);
        return new LaunchCount(atLaunch, atTracking.Minus(atLaunch), tracking, (int)tracking.Requests("ec2", "DescribeInstances"), clock.Elapsed);
    }

    /// <summary>Half the rows of each type, either one type after the other or alternating row by row.</summary>
    private static List<string> Rows(int count, bool interleaved) =>
        Enumerable.Range(0, count).Select(i => Types[interleaved ? i % 2 : i * 2 / count]).ToList();

    private static string Render(BenchScale scale, LaunchCount grouped, LaunchCount interleaved, LaunchCount small, LaunchCount original)
    {
        long n = scale.Instances, polls = grouped.Polls;
        // The original's count for the full size, for as many polls as awsrunner needed: its formula, checked below by running it smaller.
        long formulaRun = n, formulaTags = n, formulaDescribe = n * polls;
        var columns = new[] { grouped, interleaved, small, original };
        string Cell(LaunchCount c, Func<LaunchCount, long> value) => Formats.Count(value(c));
        var table = new MarkdownTable(
                "EC2 requests",
                $"awsrunner, {n} rows by type",
                $"awsrunner, {n} rows interleaved",
                $"awsrunner, {scale.OriginalInstances} rows",
                $"original pattern, {scale.OriginalInstances} (run)",
                $"original pattern, {n} (computed)")
            .Row(["setup: image, key pair, security group", .. columns.Take(3).Select(c => Cell(c, x => x.Setup.Requests("ec2"))), "not counted", "not counted"]);
        var launchOperations = columns.SelectMany(c => c.Launch.Operations("ec2").Select(o => o.Operation))
            .Union(["RunInstances", "CreateTags"]).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);
        foreach (var operation in launchOperations)
        {
            var computed = operation is "RunInstances" or "CreateTags" ? n : 0;
            table.Row([$"launch: {operation}", .. columns.Select(c => Cell(c, x => x.Launch.Requests("ec2", operation))), Formats.Count(computed)]);
        }

        table.Row(["tracking: DescribeInstances", .. columns.Select(c => Cell(c, x => x.Tracking.Requests("ec2", "DescribeInstances"))), Formats.Count(formulaDescribe)])
            .Row(["polls until every instance runs", .. columns.Select(c => Formats.Count(c.Polls)), Formats.Count(polls)])
            .Row(["**launch + tracking**", .. columns.Select(c => $"**{Cell(c, x => x.LaunchAndTracking)}**"), $"**{Formats.Count(formulaRun + formulaTags + formulaDescribe)}**"])
            .Row(["wall time, this machine", .. columns.Select(c => Formats.Seconds(c.Wall)), "n/a"]);

        var m = scale.OriginalInstances;
        var originalMatches = original.Launch.Requests("ec2", "RunInstances") == m && original.Launch.Requests("ec2", "CreateTags") == m
            && original.Tracking.Requests("ec2", "DescribeInstances") == m * original.Polls;
        var constant = grouped.LaunchAndTracking - grouped.Launch.Requests("ec2", "RunInstances") == small.LaunchAndTracking - small.Launch.Requests("ec2", "RunInstances");
        var perPoll = new MarkdownTable("polls P", $"awsrunner, {n} rows by type: {Formats.Count(grouped.Launch.Requests("ec2"))} + P", $"original: 2 x {n} + {n} x P", "ratio");
        foreach (var p in new long[] { 1, 15, 30 })
        {
            var ours = grouped.Launch.Requests("ec2") + p;
            var theirs = (2 * n) + (n * p);
            perPoll.Row(Formats.Count(p), Formats.Count(ours), Formats.Count(theirs), Formats.Ratio(theirs / (double)ours));
        }

        var text = new StringBuilder();
        text.AppendLine(table.ToString());
        var formulaNote = $"({m} RunInstances, {m} CreateTags, {m} DescribeInstances per poll); the last column is that formula for {n} instances and awsrunner's {polls} poll(s).";
        text.AppendLine(CultureInfo.InvariantCulture, $"- The original pattern run for {m} instances made {(originalMatches ? "exactly" : "NOT")} the requests its formula says {formulaNote}");
        var growth = constant ? "do not grow with the number of instances" : "GROW with the number of instances";
        text.AppendLine(CultureInfo.InvariantCulture, $"- awsrunner's launch and tracking {growth}: the {m}- and {n}-row batches differ only in RunInstances calls, one per instance type and tag-sized group of rows (interleaved rows make longer `awsrunner:rows` tags, so a few more calls).");
        text.AppendLine(CultureInfo.InvariantCulture, $"- Setup ({string.Join(", ", grouped.Setup.Operations("ec2").Select(o => $"{o.Operation} {o.Requests}"))}) is the same whatever the size; the original made its key pair and group too, not counted here.");
        text.AppendLine(CultureInfo.InvariantCulture, $"- S3 during the same create ({n} rows by type): {Formats.Count(grouped.Setup.Requests("s3") + grouped.Launch.Requests("s3") + grouped.Tracking.Requests("s3"))} requests (bucket, ledger, status listing).");
        text.AppendLine();
        text.AppendLine("moto reports every instance `running` on the first look, so a poll count of 1 is moto's; on EC2 instances take tens of seconds. For P polls:");
        text.AppendLine();
        text.Append(perPoll);
        return text.ToString();
    }
}
