using System.Diagnostics;
using System.Globalization;
using System.Text;
using AwsRunner.Bench.Infrastructure;
using AwsRunner.Bench.Report;
using AwsRunner.Sim;

namespace AwsRunner.Bench.Measurements;

/// <summary>
/// Issue 15's and issue 23's local-cloud measurement: the local cloud as an executor, two nodes from one queue, against
/// <c>xargs -P 2</c> running the same commands. Two workloads in the same run, alternating tool by tool: many one-line
/// rows (goal: awsrunner, create to the end of its wait, within 20 s at 1,000 rows), where awsrunner's cost a row is all
/// there is, once with its home in the suite's work folder (memory) and once on the machine's disk, where a user's home
/// is and where every file a row makes costs more; and rows of <c>sleep 0.5</c> (goal: within 1.25x of xargs), where
/// the work is the jobs'. awsrunner runs
/// under a subreaper, so that its nodes' processes (detached, as on a real node) are in its CPU time; both tools' trees
/// are followed for their summed resident memory.
/// </summary>
internal sealed class LocalExecutorMeasurement : IMeasurement
{
    private const int Parallel = 2;
    private const double EchoGoalSeconds = 20;
    private const double SleepGoalRatio = 1.25;
    private const string NodeMarker = "AWSRUNNER_LOCAL_NODE";
    private static readonly TimeSpan NodesGoneWait = TimeSpan.FromSeconds(5);

    public string Name => "local";

    public async Task<ReportSection> RunAsync(BenchContext context, CancellationToken cancellationToken)
    {
        var reaped = new ReapedCommand(context.Work.Fresh("local", "tools"));
        var workloads = new[]
        {
            new Workload("echo", context.Scale.LocalRows, "echo $i", "echo {}"),
            new Workload("echo-disk", context.Scale.LocalRows, "echo $i", "echo {}") { HomeOnDisk = true },
            new Workload("sleep", context.Scale.LocalSleepRows, "sleep 0.5", "sleep 0.5"),
        };
        foreach (var workload in workloads)
        {
            workload.Folder = context.Work.Fresh("local", workload.Name);
            var text = new StringBuilder("instance_type,command,i\n");
            for (var i = 0; i < workload.Rows; i++)
            {
                text.Append(CultureInfo.InvariantCulture, $"t3.micro,{workload.Command},{i}\n");
            }

            await File.WriteAllTextAsync(Path.Combine(workload.Folder, "jobs.csv"), text.ToString(), cancellationToken);
        }

        var loadBefore = LoadAverage();
        for (var round = 0; round < context.Options.Repeat; round++)
        {
            foreach (var workload in workloads)
            {
                Progress($"{workload.Name}: awsrunner, run {round + 1}");
                workload.Awsrunner.Add(await RunAwsrunnerAsync(context, reaped, workload, round, cancellationToken));
                Progress($"{workload.Name}: xargs, run {round + 1}");
                workload.Xargs.Add(await RunXargsAsync(context, workload, cancellationToken));
            }
        }

        var notes = new StringBuilder()
            .AppendLine(CultureInfo.InvariantCulture, $"`awsrunner dispatch local NAME jobs.csv --cloud local --max-parallel {Parallel} --create --dispatch --wait` (two nodes, one slot each, " +
                $"taking rows from the batch's queue) against `seq | xargs -P {Parallel} -I{{}} sh -c '...'`, the same commands; {context.Options.Repeat} runs of each, " +
                $"the workloads and the two tools taking turns. awsrunner's home (its nodes and its bucket) is in the suite's work folder " +
                $"({(context.Work.InMemory ? "in memory, /dev/shm" : "on disk")}), but for the rows marked on disk, where it is in the temp folder, as a user's home is on a disk. " +
                $"The 1-minute load average was {Load(loadBefore)} before the first run.")
            .AppendLine();
        foreach (var workload in workloads)
        {
            notes.Append(Table(workload)).AppendLine()
                .AppendLine("All runs (wall): awsrunner " + string.Join(", ", workload.Awsrunner.Select(r => Formats.Seconds(r.Wall))) +
                    "; xargs " + string.Join(", ", workload.Xargs.Select(r => Formats.Seconds(r.Wall))) + ".")
                .AppendLine();
        }

        notes.AppendLine("Wall time: awsrunner's from its start to its exit (create, publish, both nodes' work, the wait's last look); xargs's to its exit. " +
            "CPU time: user and system, of the tool and every process it started, awsrunner's detached node processes included (a subreaper waits for them). " +
            "Peak memory of the tree: the largest sum of the resident memory (VmRSS) of every process of the run, sampled every 100 ms " +
            "(a process that lives less than that, a row's tar, can be missed); largest process: GNU time's, the awsrunner process itself for awsrunner.");
        return new ReportSection(
            $"6. The local cloud as an executor: {Formats.Count(workloads[0].Rows)} one-line rows (in memory, on disk), {Formats.Count(workloads[2].Rows)} rows of `sleep 0.5`", notes.ToString());
    }

    private static string Table(Workload workload)
    {
        var wall = Median.Of(workload.Awsrunner.Select(r => r.Wall));
        var xargsWall = Median.Of(workload.Xargs.Select(r => r.Wall));
        var ratio = wall / xargsWall;
        var goal = workload.Command == "echo $i"
            ? ($"**goal: awsrunner within {EchoGoalSeconds:0} s**", $"**{(wall.TotalSeconds <= EchoGoalSeconds ? "met" : "not met")}** ({Formats.Seconds(wall)})")
            : ($"**goal: awsrunner within {SleepGoalRatio:0.00}x of xargs**", $"**{(ratio <= SleepGoalRatio ? "met" : "not met")}** ({ratio.ToString("0.00", CultureInfo.InvariantCulture)}x)");
        var where = workload.HomeOnDisk ? ", the awsrunner home on disk" : "";
        return new MarkdownTable($"{Formats.Count(workload.Rows)} rows `{workload.Command}`{where}", $"awsrunner --cloud local --max-parallel {Parallel}", $"xargs -P {Parallel}")
            .Row("wall time (median)", Formats.Seconds(wall), Formats.Seconds(xargsWall))
            .Row("awsrunner / xargs", Formats.Ratio(ratio), "")
            .Row(goal.Item1, goal.Item2, "")
            .Row("CPU time, the whole process tree (median)", Cpu(workload.Awsrunner), Cpu(workload.Xargs))
            .Row("peak memory of the tree (median)", Tree(workload.Awsrunner), Tree(workload.Xargs))
            .Row("peak memory of the largest process (median)", Largest(workload.Awsrunner), Largest(workload.Xargs))
            .Row("highest 1-minute load average while it ran", Load(workload.Awsrunner.Max(r => r.PeakLoad)), Load(workload.Xargs.Max(r => r.PeakLoad)))
            .Row($"last node process gone after the command returned, each run (over: still up {NodesGoneWait.TotalSeconds:0} s after, ended by `down`)", Gone(workload.Awsrunner), "")
            .ToString();
    }

    private static async Task<Run> RunAwsrunnerAsync(BenchContext context, ReapedCommand reaped, Workload workload, int round, CancellationToken cancellationToken)
    {
        var home = workload.HomeOnDisk
            ? context.Work.FreshOnDisk("local", $"home-{workload.Name}-{round}")
            : context.Work.Fresh("local", $"home-{workload.Name}-{round}");
        var tree = $"local-{workload.Name}-{round}";
        var environment = new Dictionary<string, string?> { ["AWSRUNNER_HOME"] = home, [TreeMemoryWatch.Variable] = tree };
        var name = $"bench-local-{workload.Name}";
        using var memory = TreeMemoryWatch.Start(tree, "time", "python3");
        TimeSpan? gone = null;
        // A node that found the last rows claimed by the other keeps looking, a beat at a time, for as long as a lease
        // takes to lapse (the queue's idle rule): awsrunner has returned by then. The suite waits a while for the
        // nodes' processes to go, then takes the batch down, which ends them, so that the subreaper can return.
        async Task EndNodesAsync()
        {
            var clock = Stopwatch.StartNew();
            while (clock.Elapsed < NodesGoneWait && TaggedProcesses.Find(NodeMarker, home + "/").Count > 0)
            {
                await Task.Delay(100, cancellationToken);
            }

            gone = TaggedProcesses.Find(NodeMarker, home + "/").Count == 0 ? clock.Elapsed : null;
            await context.Tools.RunAsync(context.Cli, ["down", name, "--cloud", "local", "--delete-results", "--yes"], workload.Folder, cancellationToken, environment);
        }

        var started = Stopwatch.GetTimestamp();
        var ((result, exited), peakLoad) = await WithPeakLoadAsync(() => reaped.RunAsync(
            context.Tools, context.Cli,
            ["dispatch", "local", name, Path.Combine(workload.Folder, "jobs.csv"), "--cloud", "local", "--max-parallel", Parallel.ToString(CultureInfo.InvariantCulture),
                "--create", "--dispatch", "--wait", "--no-progress"],
            workload.Folder, EndNodesAsync, cancellationToken, environment));
        var treeKiB = await memory.StopAsync();
        if (!result.Output.Contains($"done {workload.Rows}", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"not every row is done:\n{result.Output}");
        }

        return new Run(Stopwatch.GetElapsedTime(started, exited), result.Cpu, result.PeakKiB, treeKiB, peakLoad, gone);
    }

    private static async Task<Run> RunXargsAsync(BenchContext context, Workload workload, CancellationToken cancellationToken)
    {
        var tree = $"xargs-{workload.Name}-{Guid.NewGuid():N}";
        using var memory = TreeMemoryWatch.Start(tree, "time");
        var (result, peakLoad) = await WithPeakLoadAsync(() => context.Tools.RunAsync(
            "bash", ["-c", $"seq 0 {workload.Rows - 1} | xargs -P {Parallel} -I{{}} sh -c '{workload.XargsCommand}' > /dev/null"], workload.Folder, cancellationToken,
            new Dictionary<string, string?> { [TreeMemoryWatch.Variable] = tree }));
        return new Run(result.Wall, result.Cpu, result.PeakKiB, await memory.StopAsync(), peakLoad, TimeSpan.Zero);
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

    private static string Cpu(IEnumerable<Run> runs) =>
        runs.ToList() is var list && list.All(r => r.Cpu is not null) ? Formats.Seconds(Median.Of(list.Select(r => r.Cpu!.Value))) : "n/a";

    private static string Largest(IEnumerable<Run> runs) =>
        runs.ToList() is var list && list.All(r => r.LargestKiB is not null) ? Formats.MiB(Median.Of(list.Select(r => r.LargestKiB!.Value)) * 1024) : "n/a";

    // A run shorter than one sample has no reading.
    private static string Tree(IEnumerable<Run> runs) => Median.Of(runs.Select(r => r.TreeKiB)) is > 0 and var kib ? Formats.MiB(kib * 1024) : "(over before a sample)";

    private static string Gone(IEnumerable<Run> runs) =>
        string.Join(", ", runs.Select(r => r.Gone is { } gone ? Formats.Seconds(gone) : "over"));

    private static void Progress(string what) => Console.Error.WriteLine($"  local: {what}");

    private sealed record Run(TimeSpan Wall, TimeSpan? Cpu, long? LargestKiB, long TreeKiB, double PeakLoad, TimeSpan? Gone);

    private sealed class Workload(string name, int rows, string command, string xargsCommand)
    {
        public string Name => name;

        public int Rows => rows;

        public string Command => command;

        public string XargsCommand => xargsCommand;

        /// <summary>awsrunner's home (its local cloud: nodes and bucket) on the machine's disk, not in the work folder.</summary>
        public bool HomeOnDisk { get; init; }

        public string Folder { get; set; } = "";

        public List<Run> Awsrunner { get; } = [];

        public List<Run> Xargs { get; } = [];
    }
}
