using System.Globalization;

namespace AwsRunner.Bench;

/// <summary>What bench/run was asked for.</summary>
internal sealed record BenchOptions
{
    public static readonly string[] Measurements = ["fan-out", "ec2", "fetch", "job-file", "start-up", "local", "queue", "fleet"];

    /// <summary>The measurements to run, by name.</summary>
    public required IReadOnlySet<string> Only { get; init; }

    /// <summary>How often each tool runs in a comparison (alternately).</summary>
    public int Repeat { get; init; } = 3;

    public BenchScale Scale { get; init; } = BenchScale.Full;

    /// <summary>Write the results into docs/benchmarks.md (a full run of the built CLI only: toy sizes or another build would overwrite them).</summary>
    public bool WriteReport { get; init; }

    /// <summary>Another build of the awsrunner command to measure (a ReadyToRun one, say); the Release build when null.</summary>
    public string? Cli { get; init; }

    public const string Usage = """
        usage: bench/run [--only fan-out,ec2,fetch,job-file,start-up,local,queue,fleet] [--repeat N] [--quick] [--cli PATH]
          --only     run these measurements (default: all)
          --repeat   runs of each tool per comparison, alternating (default 3)
          --quick    small sizes, to try the suite out; the report is printed, docs/benchmarks.md is left alone
          --cli      measure this awsrunner command instead of the Release build; the report is printed only
        """;

    public static BenchOptions Parse(IReadOnlyList<string> args)
    {
        var options = new BenchOptions { Only = Measurements.ToHashSet(StringComparer.Ordinal), WriteReport = true };
        for (var i = 0; i < args.Count; i++)
        {
            options = args[i] switch
            {
                "--quick" => options with { Scale = BenchScale.Quick, WriteReport = false },
                "--repeat" when i + 1 < args.Count && int.TryParse(args[++i], NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 =>
                    options with { Repeat = n },
                "--only" when i + 1 < args.Count => options with { Only = Names(args[++i]) },
                "--cli" when i + 1 < args.Count => options with { Cli = Path.GetFullPath(args[++i]), WriteReport = false },
                _ => throw new ArgumentException($"{args[i]}: unknown or incomplete option\n{Usage}"),
            };
        }

        return options;
    }

    private static HashSet<string> Names(string list)
    {
        var names = list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet(StringComparer.Ordinal);
        var unknown = names.Except(Measurements).ToList();
        return unknown.Count == 0 ? names : throw new ArgumentException($"--only: no measurement named {string.Join(", ", unknown)}\n{Usage}");
    }
}
