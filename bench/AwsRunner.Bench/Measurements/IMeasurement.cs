using AwsRunner.Bench.Report;

namespace AwsRunner.Bench.Measurements;

/// <summary>One of issue 7's measurements.</summary>
internal interface IMeasurement
{
    /// <summary>Its name for <c>--only</c>, and the name of its block in docs/benchmarks.md.</summary>
    string Name { get; }

    Task<ReportSection> RunAsync(BenchContext context, CancellationToken cancellationToken);
}
