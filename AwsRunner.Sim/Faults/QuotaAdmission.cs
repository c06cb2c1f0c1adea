namespace AwsRunner.Sim.Faults;

/// <summary>
/// An <see cref="AccountQuota"/>'s answer to one RunInstances call: forward <see cref="Form"/> (the counts cut down to
/// what was granted), or answer <see cref="Refusal"/> instead. Disposing it lets the quota decide the next call.
/// </summary>
internal sealed class QuotaAdmission(AccountQuota quota, string form, Ec2Error? refusal) : IDisposable
{
    private int disposed;

    public string Form => form;

    public Ec2Error? Refusal => refusal;

    public void Dispose()
    {
        if (Interlocked.Exchange(ref disposed, 1) == 0)
        {
            quota.Release();
        }
    }
}
