using System.Globalization;
using System.Text;
using AwsRunner.Bench.Infrastructure;
using AwsRunner.Bench.Report;
using AwsRunner.Sim;

namespace AwsRunner.Bench.Measurements;

/// <summary>
/// Issue 15's local-cloud measurement: trivial rows on the local cloud, two at once, against <c>xargs -P 2</c> running
/// the same commands. The load average is sampled while each runs, and after awsrunner exits the suite waits for the
/// last process of its nodes to go.
/// </summary>
internal sealed class LocalExecutorMeasurement : IMeasurement
{
    private const int Parallel = 2;
    private const string NodeMarker = "AWSRUNNER_LOCAL_NODE";

    public string Name => "local";

    public async Task<ReportSection> RunAsync(BenchContext context, CancellationToken cancellationToken)
    {
        var rows = context.Scale.LocalRows;
        var folder = context.Work.Fresh("local", "project");
        var jobs = Path.Combine(folder, "jobs.csv");
        var text = new StringBuilder("instance_type,command,i\n");
        for (var i = 0; i < rows; i++)
        {
            text.Append(CultureInfo.InvariantCulture, $"t3.micro,echo $i,{i}\n");
        }

        await File.WriteAllTextAsync(jobs, text.ToString(), cancellationToken);
        var loadBefore = LoadAverage();
        var awsrunner = new List<(ToolResult Run, double PeakLoad, TimeSpan Gone)>();
        var xargs = new List<(ToolResult Run, double PeakLoad)>();
        for (var round = 0; round < context.Options.Repeat; round++)
        {
            awsrunner.Add(await RunAwsrunnerAsync(context, jobs, cancellationToken));
            xargs.Add(await WithPeakLoadAsync(() => context.Tools.RunAsync(
                "bash", ["-c", $"seq 0 {rows - 1} | xargs -P {Parallel} -I{{}} sh -c 'echo {{}}' > /dev/null"], folder, cancellationToken)));
        }

        var wall = Median.Of(awsrunner.Select(r => r.Run.Wall));
        var xargsWall = Median.Of(xargs.Select(r => r.Run.Wall));
        var table = new MarkdownTable("", $"awsrunner --cloud local --max-parallel {Parallel}", $"xargs -P {Parallel}")
            .Row("wall time, create + dispatch + wait (median)", Formats.Seconds(wall), Formats.Seconds(xargsWall))
            .Row("awsrunner / xargs", Formats.Ratio(wall / xargsWall), "")
            .Row("CPU time (median)", Cpu(awsrunner.Select(r => r.Run)), Cpu(xargs.Select(r => r.Run)))
            .Row("highest 1-minute load average while it ran", Load(awsrunner.Max(r => r.PeakLoad)), Load(xargs.Max(r => r.PeakLoad)))
            .Row("last node process gone, after the command returned (median)", Formats.Seconds(Median.Of(awsrunner.Select(r => r.Gone))), "");
        var notes = new StringBuilder()
            .AppendLine(CultureInfo.InvariantCulture, $"{Formats.Count(rows)} rows `echo $i`, `awsrunner dispatch local NAME jobs.csv --cloud local --max-parallel {Parallel} --create --dispatch --wait` " +
                $"against `seq | xargs -P {Parallel} -I{{}} sh -c 'echo {{}}'`, {context.Options.Repeat} runs each, alternately. " +
                $"The 1-minute load average was {Load(loadBefore)} before the first run: the machine's other work ran beside it.")
            .AppendLine()
            .Append(table)
            .AppendLine()
            .AppendLine("All runs (wall): awsrunner " + string.Join(", ", awsrunner.Select(r => Formats.Seconds(r.Run.Wall))) +
                "; xargs " + string.Join(", ", xargs.Select(r => Formats.Seconds(r.Run.Wall))) + ".");
        return new ReportSection($"6. The local cloud as an executor: {Formats.Count(rows)} trivial rows", notes.ToString());
    }

    private static async Task<(ToolResult Run, double PeakLoad, TimeSpan Gone)> RunAwsrunnerAsync(BenchContext context, string jobs, CancellationToken cancellationToken)
    {
        var home = context.Work.Fresh("local", "home");
        var environment = new Dictionary<string, string?> { ["AWSRUNNER_HOME"] = home };
        var (run, peak) = await WithPeakLoadAsync(() => context.Tools.RunAsync(
            context.Cli,
            ["dispatch", "local", "bench-local", jobs, "--cloud", "local", "--max-parallel", Parallel.ToString(CultureInfo.InvariantCulture), "--create", "--dispatch", "--wait", "--no-progress"],
            context.Work.Path, cancellationToken, environment));
        if (!run.Output.Contains($"done {context.Scale.LocalRows}", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"not every row is done:\n{run.Output}");
        }

        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (TaggedProcesses.Find(NodeMarker, home + "/").Count > 0)
        {
            await Task.Delay(100, cancellationToken);
        }

        var gone = clock.Elapsed;
        await context.Tools.RunAsync(context.Cli, ["down", "bench-local", "--cloud", "local", "--delete-results", "--yes"], context.Work.Path, cancellationToken, environment);
        return (run, peak, gone);
    }

    private static async Task<(T Result, double PeakLoad)> WithPeakLoadAsync<T>(Func<Task<T>> action)
    {
        using var stop = new CancellationTokenSource();
        var peak = LoadAverage();
        var sampler = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                peak = Math.Max(peak, LoadAverage());
                await Task.Delay(500, CancellationToken.None);
            }
        });
        var result = await action();
        await stop.CancelAsync();
        await sampler;
        return (result, Math.Max(peak, LoadAverage()));
    }

    private static double LoadAverage() =>
        double.Parse(File.ReadAllText("/proc/loadavg").Split(' ')[0], CultureInfo.InvariantCulture);

    private static string Load(double load) => load.ToString("0.0", CultureInfo.InvariantCulture);

    private static string Cpu(IEnumerable<ToolResult> runs) =>
        runs.ToList() is var list && list.All(r => r.Cpu is not null) ? Formats.Seconds(Median.Of(list.Select(r => r.Cpu!.Value))) : "n/a";
}
