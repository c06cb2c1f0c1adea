using AwsRunner.Bench.Report;

namespace AwsRunner.Bench.Measurements;

/// <summary>
/// Issue 7's measurement 1 (awsrunner against parallel-ssh on the simulated 50-node fleet) has its place here; the
/// simulated SSH fleet it needs is being enabled separately, so nothing is measured and no number is made up.
/// </summary>
internal sealed class FanOutMeasurement : IMeasurement
{
    public string Name => "fan-out";

    public Task<ReportSection> RunAsync(BenchContext context, CancellationToken cancellationToken) =>
        Task.FromResult(new ReportSection("1. Fan-out on the simulated fleet", """
            **Not yet measured.** This needs the simulated SSH fleet (50 nodes), which is being enabled separately. When
            it is, this measurement times, from "all instances running" to "every job started", uploading a 20 MB code
            folder of 2,000 files, running a short INSTALL.sh and starting a detached command on every node: awsrunner
            against `parallel-scp`/`parallel-ssh` (Debian's `pssh`) at their best parallelism, alternately, medians and
            ratio. Its code goes in `bench/AwsRunner.Bench/Measurements/FanOutMeasurement.cs`.
            """));
}
