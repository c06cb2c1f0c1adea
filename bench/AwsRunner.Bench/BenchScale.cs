namespace AwsRunner.Bench;

/// <summary>How big each measurement is: the sizes, or small ones for trying the suite out.</summary>
/// <param name="FanOutNodes">Nodes of the simulated fleet each fan-out run starts jobs on (measurement 1).</param>
/// <param name="CodeFiles">Files in the code folder uploaded to every node.</param>
/// <param name="CodeMiB">Their total size.</param>
/// <param name="Instances">Instances launched and followed to running (measurement 2).</param>
/// <param name="OriginalInstances">Instances the original tool's per-instance pattern is actually run for.</param>
/// <param name="SmallJobs">Jobs with small results in the fetched batch (measurement 3).</param>
/// <param name="LargeJobs">Jobs with large results in it.</param>
/// <param name="LargeMiB">The size of each large result.</param>
/// <param name="JobFileRows">Rows of the job file parsed and validated (measurement 4).</param>
/// <param name="LocalRows">Trivial rows run on the local cloud (measurement 6).</param>
/// <param name="LocalSleepRows">Rows of <c>sleep 0.5</c> run on the local cloud beside them.</param>
/// <param name="QueueRows">Rows whose queue is published to the bucket (measurement 7).</param>
/// <param name="QueueRowsLarge">Rows of the larger queue published beside it.</param>
/// <param name="FleetRows">Rows of the batch created and dispatched on the simulated fleet (measurement 8).</param>
internal sealed record BenchScale(
    int FanOutNodes, int CodeFiles, int CodeMiB, int Instances, int OriginalInstances, int SmallJobs, int LargeJobs, int LargeMiB, int JobFileRows, int LocalRows,
    int LocalSleepRows, int QueueRows, int QueueRowsLarge, int FleetRows)
{
    public static BenchScale Full { get; } = new(50, 2000, 20, 500, 50, 1000, 10, 50, 100_000, 1000, 120, 10_000, 100_000, 10_000);

    public static BenchScale Quick { get; } = new(8, 200, 2, 40, 10, 100, 2, 5, 10_000, 50, 20, 1_000, 5_000, 500);
}
