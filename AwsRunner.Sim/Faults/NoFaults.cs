namespace AwsRunner.Sim.Faults;

/// <summary>Injects nothing: for a proxy that only applies an <see cref="AccountQuota"/>.</summary>
internal sealed class NoFaults : IFaultPolicy
{
    public static readonly NoFaults Instance = new();

    private NoFaults()
    {
    }

    public ValueTask<Fault?> DecideAsync(AwsCall call, CancellationToken cancellationToken) => ValueTask.FromResult<Fault?>(null);
}
