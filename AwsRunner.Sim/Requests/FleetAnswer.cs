namespace AwsRunner.Sim.Requests;

/// <summary>The fleet's answer to a request: done (true), or refused and why (no such instance, not a spot instance).</summary>
internal sealed record FleetAnswer(bool Done, string Message)
{
    public static FleetAnswer Refused(string message) => new(false, message);

    public static FleetAnswer Acknowledged(string message) => new(true, message);
}
