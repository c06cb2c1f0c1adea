namespace AwsRunner.Sim.Requests;

/// <summary>One request left for a running fleet, under an id of its own that its answer carries too.</summary>
internal sealed record FleetRequest(string Id, NodeCommand Command, string InstanceId);
