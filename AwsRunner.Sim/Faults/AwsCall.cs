namespace AwsRunner.Sim.Faults;

/// <summary>One request that reached the proxy: its lane, and for EC2 its Action.</summary>
internal sealed record AwsCall(AwsLane Lane, string? Action);
