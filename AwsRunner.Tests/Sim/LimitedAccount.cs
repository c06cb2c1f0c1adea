using Amazon.Runtime;
using AwsRunner.Sim.Ec2;
using AwsRunner.Sim.Faults;
using Polly;

namespace AwsRunner.Tests.Sim;

/// <summary>
/// The shared fleet as an account with limits: a fault proxy in front of its moto that applies a running on-demand
/// vCPU and/or instance limit to RunInstances. Point a
/// <see cref="FleetBatch"/> at <see cref="Url"/>; <see cref="Tally"/> counts the launches it refused.
/// </summary>
internal sealed class LimitedAccount : IAsyncDisposable
{
    private readonly AccountInstances account;
    private readonly AccountQuota quota;
    private readonly FaultProxy proxy;

    private LimitedAccount(AccountInstances account, AccountQuota quota, FaultProxy proxy)
    {
        this.account = account;
        this.quota = quota;
        this.proxy = proxy;
    }

    public Uri Url => proxy.Url;

    public FaultTally Tally => proxy.Tally;

    public static async Task<LimitedAccount> StartAsync(SimulatedFleet fleet, int? vcpuLimit, int? instanceLimit = null)
    {
        var account = AccountInstances.At(fleet.Endpoint, fleet.Region, new BasicAWSCredentials("testing", "testing"), ResiliencePipeline.Empty);
        var quota = new AccountQuota(vcpuLimit, instanceLimit, account);
        var proxy = await FaultProxy.StartAsync(fleet.Endpoint, NoFaults.Instance, quota, CancellationToken.None);
        return new LimitedAccount(account, quota, proxy);
    }

    public async ValueTask DisposeAsync()
    {
        await proxy.DisposeAsync();
        quota.Dispose();
        account.Dispose();
    }
}
