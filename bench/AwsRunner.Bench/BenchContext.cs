using AwsRunner.Bench.Infrastructure;
using AwsRunner.Sim.Moto;

namespace AwsRunner.Bench;

/// <summary>What every measurement shares: the built tools, the work folder, moto and the counting proxy in front of it.</summary>
internal sealed record BenchContext
{
    /// <summary>The awsrunner command, built in Release by bench/run.</summary>
    public required string Cli { get; init; }

    /// <summary>A .NET program that does nothing: the floor of start-up.</summary>
    public required string EmptyProgram { get; init; }

    public required WorkFolder Work { get; init; }

    public required ToolRunner Tools { get; init; }

    public required MotoProcess Moto { get; init; }

    public required CountingProxy Proxy { get; init; }

    public required BenchOptions Options { get; init; }

    public BenchScale Scale => Options.Scale;
}
