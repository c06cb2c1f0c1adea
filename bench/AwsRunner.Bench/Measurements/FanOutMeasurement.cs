using AwsRunner.Bench.Report;

namespace AwsRunner.Bench.Measurements;

/// <summary>
/// Issue 7's measurement 1, on the simulated fleet: from every instance running to every job started (the code folder
/// uploaded, INSTALL.sh run, a detached command started on every node), awsrunner on both its SSH transports against
/// Debian's pssh. pssh's ways of doing it are each tried once first, and the fastest is the one compared, the three
/// taking turns.
/// </summary>
internal sealed class FanOutMeasurement : IMeasurement
{
    private static readonly string[] Needed = ["parallel-ssh", "parallel-scp", "sshd"];

    public string Name => "fan-out";

    public async Task<ReportSection> RunAsync(BenchContext context, CancellationToken cancellationToken)
    {
        if (Needed.FirstOrDefault(p => !OnPath(p)) is { } missing)
        {
            throw new InvalidOperationException($"{missing} is not installed: apt-get install -y pssh openssh-server openssh-client");
        }

        var scale = context.Scale;
        var nodes = scale.FanOutNodes;
        await context.Moto.ResetAsync(cancellationToken);
        var code = await FanOutCodeWriter.WriteAsync(context, context.Work.Fresh("fan-out-code"), scale.CodeFiles, (long)scale.CodeMiB << 20, cancellationToken);
        await using var fleet = await FanOutFleet.StartAsync(context.Work.Fresh("fan-out-fleet"), context.Moto.Url, cancellationToken);
        var setup = new FanOutSetup(context, fleet, code, new ReapedCommand(context.Work.Fresh("fan-out-tools")), nodes);

        // Pays for what any first run pays (moto's EC2 backend, the page cache, the fleet's first nodes); not reported.
        Progress("warm-up");
        await AwsrunnerFanOut.RunAsync(setup, openSsh: false, parallel: null, cancellationToken);

        var trials = new List<FanOutRun>();
        var methods = new[] { "tar", "scp-r", "stdin" };
        var tried = new Dictionary<PsshVariant, FanOutRun>();
        foreach (var variant in methods.Select(m => new PsshVariant(m, nodes)))
        {
            Progress(variant.Description);
            tried[variant] = await PsshFanOut.RunAsync(setup, variant, cancellationToken);
        }

        var fewer = tried.MinBy(t => t.Value.Wall).Key with { Parallel = Math.Max(1, nodes / 2) };
        if (!tried.ContainsKey(fewer))
        {
            Progress(fewer.Description);
            tried[fewer] = await PsshFanOut.RunAsync(setup, fewer, cancellationToken);
        }

        trials.AddRange(tried.Values);
        Progress($"awsrunner --nodes-at-once {nodes}");
        trials.Add(await AwsrunnerFanOut.RunAsync(setup, openSsh: false, nodes, cancellationToken));

        var best = tried.MinBy(t => t.Value.Wall).Key;
        var inProcess = new List<FanOutRun>();
        var openSsh = new List<FanOutRun>();
        var pssh = new List<FanOutRun>();
        var turns = new (string Tool, Func<Task<FanOutRun>> Run, List<FanOutRun> Runs)[]
        {
            (AwsrunnerFanOut.Label(openSsh: false), () => AwsrunnerFanOut.RunAsync(setup, openSsh: false, parallel: null, cancellationToken), inProcess),
            (AwsrunnerFanOut.Label(openSsh: true), () => AwsrunnerFanOut.RunAsync(setup, openSsh: true, parallel: null, cancellationToken), openSsh),
            (best.Description, () => PsshFanOut.RunAsync(setup, best, cancellationToken), pssh),
        };
        for (var round = 0; round < context.Options.Repeat; round++)
        {
            // Each round starts with another tool, so that none always meets a fleet that has just been taken down.
            foreach (var (tool, run, runs) in turns.Skip(round % turns.Length).Concat(turns.Take(round % turns.Length)))
            {
                Progress(tool);
                runs.Add(await run());
            }
        }

        return new ReportSection(
            $"1. Fan-out: {nodes} nodes, {Formats.Count(code.Files)} files ({Formats.MiB(code.Bytes)})",
            FanOutReport.Render(code, nodes, context.Options.Repeat, best, inProcess, openSsh, pssh, trials));
    }

    private static bool OnPath(string program) =>
        ((Environment.GetEnvironmentVariable("PATH") ?? "") + ":/usr/sbin").Split(':').Any(folder => File.Exists(Path.Combine(folder, program)));

    private static void Progress(string what) => Console.Error.WriteLine($"  fan-out: {what}");
}
