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
    /// <summary>Where compiled methods come from, by namespace prefix; the first match wins.</summary>
    private static readonly (string Label, string[] Prefixes)[] Origins =
    [
        ("CommandLineParser", ["CommandLine.", "CSharpx.", "RailwaySharp."]),
        ("Microsoft.Extensions (logging, DI, options)", ["Microsoft.Extensions."]),
        ("awsrunner", ["AwsRunner."]),
        ("AWS SDK, CsvHelper, Polly, Spectre.Console", ["Amazon.", "ThirdParty.", "CsvHelper.", "Polly.", "Spectre."]),
        (".NET libraries (generic instances, stubs)", [""]),
    ];

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
        var origins = new MarkdownTable(["methods JIT-compiled, by origin", .. Origins.Select(o => o.Label)]);
        foreach (var (label, program, arguments) in commands)
        {
            var wall = Median.Of(runs[label].Select(r => r.Wall));
            var cpu = runs[label].All(r => r.Cpu is not null) ? Formats.Milliseconds(Median.Of(runs[label].Select(r => r.Cpu!.Value))) : "n/a";
            var peak = runs[label].All(r => r.PeakKiB is not null) ? Formats.MiB(Median.Of(runs[label].Select(r => r.PeakKiB!.Value)) * 1024) : "n/a";
            var jitted = await JittedAsync(context, program, arguments, environment, cancellationToken);
            table.Row(label, Formats.Milliseconds(wall), label == commands[0].Label ? "" : Formats.Milliseconds(wall - floor), cpu, Formats.Count(jitted.Count), peak);
            origins.Row([label, .. Origins.Select(o => Formats.Count(jitted.Count(m => OriginOf(m) == o.Label)))]);
        }

        var text = new StringBuilder()
            .AppendLine($"{rounds} runs of each, round-robin. The JIT count is one more run with `DOTNET_JitStdOutFile` and `DOTNET_JitDisasmSummary` " +
                "(every method compiled at any tier; the .NET libraries themselves come precompiled, ReadyToRun, and are not counted unless re-compiled).")
            .AppendLine()
            .AppendLine(table.ToString())
            .Append(origins);
        return new ReportSection("5. Start-up", text.ToString());
    }

    private static string OriginOf(string method) => Origins.First(o => o.Prefixes.Any(p => method.StartsWith(p, StringComparison.Ordinal))).Label;

    /// <summary>The methods the JIT compiles in one more run: <c>JIT compiled Namespace.Type:Method(...) [Tier0, ...]</c>.</summary>
    private static async Task<List<string>> JittedAsync(
        BenchContext context, string program, string[] arguments, Dictionary<string, string?> environment, CancellationToken cancellationToken)
    {
        const string Marker = "JIT compiled ";
        var list = Path.Combine(context.Work.Fresh("start-up", "jit"), "jit.txt");
        await context.Tools.RunAsync(program, arguments, context.Work.Path, cancellationToken,
            new Dictionary<string, string?>(environment) { ["DOTNET_JitStdOutFile"] = list, ["DOTNET_JitDisasmSummary"] = "1" });
        return File.Exists(list)
            ? File.ReadLines(list).Where(l => l.Contains(Marker, StringComparison.Ordinal)).Select(l => l[(l.IndexOf(Marker, StringComparison.Ordinal) + Marker.Length)..]).ToList()
            : [];
    }
}
