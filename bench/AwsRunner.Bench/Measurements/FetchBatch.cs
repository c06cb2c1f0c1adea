namespace AwsRunner.Bench.Measurements;

/// <summary>A batch's results laid out in moto's S3 as nodes leave them.</summary>
/// <param name="Name">The batch's NAME (and bucket).</param>
/// <param name="Jobs">Its jobs, all finished.</param>
/// <param name="LargeJobs">How many of them have large results (the last ones).</param>
/// <param name="LargeBytes">The size of each large result file.</param>
/// <param name="Objects">Objects under <c>NAME/</c>.</param>
/// <param name="Bytes">Their total size.</param>
internal sealed record FetchBatch(string Name, int Jobs, int LargeJobs, long LargeBytes, int Objects, long Bytes);
