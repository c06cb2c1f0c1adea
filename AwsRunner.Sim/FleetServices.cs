using Amazon.Runtime;
using AwsRunner.Core;
using AwsRunner.Sim.Ec2;
using AwsRunner.Sim.Faults;
using AwsRunner.Sim.Metadata;
using AwsRunner.Sim.Requests;
using Polly;

namespace AwsRunner.Sim;

/// <summary>
/// What the fleet serves beside its nodes: the box its requests come through (held while the fleet runs), the nodes'
/// instance metadata service, the account's instances as EC2 tells them, and, with account limits, the proxy in front
/// of moto that applies them, which is then the <see cref="Endpoint"/> the fleet's users are pointed at.
/// </summary>
internal sealed class FleetServices : IAsyncDisposable
{
    private readonly IDisposable requestsHeld;
    private readonly AccountInstances account;
    private readonly FaultProxy? limited;

    private FleetServices(RequestBox requests, IDisposable requestsHeld, MetadataService metadata, AccountInstances account, AccountQuota? quota, FaultProxy? limited, Uri endpoint)
    {
        Requests = requests;
        this.requestsHeld = requestsHeld;
        Metadata = metadata;
        this.account = account;
        Quota = quota;
        this.limited = limited;
        Endpoint = limited?.Url ?? endpoint;
    }

    public RequestBox Requests { get; }

    public MetadataService Metadata { get; }

    public IAccountInstances Account => account;

    /// <summary>Where the fleet's users reach EC2 and S3: moto, or the proxy that applies the account's limits.</summary>
    public Uri Endpoint { get; }

    /// <summary>The account's limits the <see cref="Endpoint"/> applies; null when it is moto itself.</summary>
    public AccountQuota? Quota { get; }

    public static async Task<FleetServices> StartAsync(
        FleetSettings settings, Uri moto, AWSCredentials credentials, ResiliencePipeline retry, TimeProvider time, CancellationToken cancellationToken)
    {
        var requests = new RequestBox(settings.RequestsFolder);
        IDisposable held;
        try
        {
            held = requests.Open();
        }
        catch (IOException)
        {
            throw new InvalidInputException("Folder", $"another fleet runs with the folder {settings.Folder}: stop it, or give another --folder");
        }

        var account = AccountInstances.At(moto, settings.Region, credentials, retry);
        var quota = AccountQuota.Of(settings.VcpuLimit, settings.InstanceLimit, account);
        MetadataService? metadata = null;
        try
        {
            metadata = await MetadataService.StartAsync(time, cancellationToken).ConfigureAwait(false);
            var limited = quota is null ? null : await FaultProxy.StartAsync(moto, NoFaults.Instance, quota, cancellationToken).ConfigureAwait(false);
            return new FleetServices(requests, held, metadata, account, quota, limited, moto);
        }
        catch
        {
            if (metadata is not null)
            {
                await metadata.DisposeAsync().ConfigureAwait(false);
            }

            quota?.Dispose();
            account.Dispose();
            held.Dispose();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (limited is not null)
        {
            await limited.DisposeAsync().ConfigureAwait(false);
        }

        await Metadata.DisposeAsync().ConfigureAwait(false);
        Quota?.Dispose();
        account.Dispose();
        requestsHeld.Dispose();
    }
}
