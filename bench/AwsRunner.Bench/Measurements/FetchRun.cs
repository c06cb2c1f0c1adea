using AwsRunner.Bench.Infrastructure;

namespace AwsRunner.Bench.Measurements;

/// <summary>One fetch by one tool.</summary>
/// <param name="Tool">Which tool.</param>
/// <param name="Result">Its time, CPU and memory.</param>
/// <param name="MotoCpu">The CPU time moto spent answering it.</param>
/// <param name="Requests">What the proxy counted, for a run through it; null for a timed run straight to moto.</param>
internal sealed record FetchRun(string Tool, ToolResult Result, TimeSpan MotoCpu, RequestCounts? Requests);
