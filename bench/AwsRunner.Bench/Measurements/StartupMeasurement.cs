using System.Text;
using AwsRunner.Bench.Infrastructure;
using AwsRunner.Bench.Report;

namespace AwsRunner.Bench.Measurements;

/// <summary>
/// Issue 7's measurement 5: how long the built CLI (Release) takes to answer <c>--help</c> and <c>status</c> on the
/// local cloud, beside an empty .NET program (the floor: host and runtime start-up). One more run of each counts the
/// methods the JIT compiles, which is where the time above the floor goes.
/// </summary>
internal sealed class StartupMeasurement : IMeasurement
{
    public string Name => "start-up";

    public async Task<ReportSection> RunAsync(BenchContext context, CancellationToken cancellationToken)
    {
        var home = context.Work.Fresh("start-up", "home");
        var commands = new (string Label, string Program, string[] Arguments)[]
        {
            ("empty .NET program (the floor)", context.EmptyProgram, []),
            ("`awsrunner --version`", context.Cli, ["--version"]),
            ("`awsrunner --help`", context.Cli, ["--help"]),
            ("`awsrunner status --cloud local`", context.Cli, ["status", "--cloud", "local"]),
        };
        var environment = new Dictionary<string, string?> { ["AWSRUNNER_HOME"] = home };
        var runs = commands.ToDictionary(c => c.Label, _ => new List<ToolResult>());
        var rounds = Math.Max(10, context.Options.Repeat * 3);
        for (var round = 0; round < rounds; round++)
        {
            foreach (var (label, program, arguments) in commands)
            {
                runs[label].Add(await context.Tools.RunAsync(program, arguments, context.Work.Path, cancellationToken, environment));
            }
        }

        var floor = Median.Of(runs[commands[0].Label].Select(r => r.Wall));
        var table = new MarkdownTable("command", "wall time (median)", "above the floor", "CPU time (median)", "methods JIT-compiled", "peak memory");
        foreach (var (label, program, arguments) in commands)
        {
            var wall = Median.Of(runs[label].Select(r => r.Wall));
            var cpu = runs[label].All(r => r.Cpu is not null) ? Formats.Milliseconds(Median.Of(runs[label].Select(r => r.Cpu!.Value))) : "n/a";
            var peak = runs[label].All(r => r.PeakKiB is not null) ? Formats.MiB(Median.Of(runs[label].Select(r => r.PeakKiB!.Value)) * 1024) : "n/a";
            var jitted = await CountJittedAsync(context, program, arguments, environment, cancellationToken);
            table.Row(label, Formats.Milliseconds(wall), label == commands[0].Label ? "" : Formats.Milliseconds(wall - floor), cpu, Formats.Count(jitted), peak);
        }

        var text = new StringBuilder()
            .AppendLine($"{rounds} runs of each, round-robin. The JIT count is one more run with `DOTNET_JitStdOutFile` and `DOTNET_JitDisasmSummary` " +
                "(every method compiled at any tier; the .NET libraries themselves come precompiled, ReadyToRun, and are not counted unless re-compiled).")
            .AppendLine()
            .Append(table);
        return new ReportSection("5. Start-up", text.ToString());
    }

    private static async Task<int> CountJittedAsync(
        BenchContext context, string program, string[] arguments, Dictionary<string, string?> environment, CancellationToken cancellationToken)
    {
        var list = Path.Combine(context.Work.Fresh("start-up", "jit"), "jit.txt");
        await context.Tools.RunAsync(program, arguments, context.Work.Path, cancellationToken,
            new Dictionary<string, string?>(environment) { ["DOTNET_JitStdOutFile"] = list, ["DOTNET_JitDisasmSummary"] = "1" });
        return File.Exists(list) ? File.ReadLines(list).Count(l => l.Contains("JIT compiled", StringComparison.Ordinal)) : 0;
    }
}
