namespace AwsRunner.Sim.Faults;

/// <summary>Decides, request by request, whether the proxy forwards it or answers with a fault.</summary>
internal interface IFaultPolicy
{
    /// <summary>The fault to answer <paramref name="call"/> with, or null to forward it; may wait (to hold a call back).</summary>
    ValueTask<Fault?> DecideAsync(AwsCall call, CancellationToken cancellationToken);
}
