namespace AwsRunner.Sim.Faults;

/// <summary>One request that reached the proxy: its lane, its EC2 Action (null for S3), its method and path.</summary>
internal sealed record AwsCall(AwsLane Lane, string? Action, string Method, string Path);
