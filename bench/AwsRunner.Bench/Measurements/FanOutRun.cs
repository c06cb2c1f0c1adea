namespace AwsRunner.Bench.Measurements;

/// <summary>One fan-out run of one tool.</summary>
/// <param name="Tool">Which tool and how it was run.</param>
/// <param name="Wall">From every instance running to every job started.</param>
/// <param name="Cpu">CPU time of the tool's whole process tree on this machine (its ssh and scp clients too), or null when not read.</param>
/// <param name="Connections">SSH connections opened to the nodes.</param>
/// <param name="Steps">How long each step took, for the tools that go in steps.</param>
/// <param name="PeakKiB">Peak resident memory of the tree's largest process (GNU time's), or null when not read.</param>
internal sealed record FanOutRun(string Tool, TimeSpan Wall, TimeSpan? Cpu, long Connections, IReadOnlyList<(string Step, TimeSpan Time)> Steps, long? PeakKiB = null);
