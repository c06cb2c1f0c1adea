using System.Collections.Concurrent;
using Amazon.EC2;
using Amazon.EC2.Model;
using Amazon.Runtime;
using Polly;

namespace AwsRunner.Sim.Ec2;

/// <summary>
/// A region's instances and instance types through AWSSDK.EC2, for the fleet's spot interruptions and the fault proxy's
/// account limits. Retries are the <paramref name="retry"/> pipeline's alone (the SDK's own are off).
/// </summary>
internal sealed class AccountInstances(IAmazonEC2 ec2, ResiliencePipeline retry) : IAccountInstances, IDisposable
{
    private static readonly Filter Live = new("instance-state-name", ["pending", "running"]);

    private readonly ConcurrentDictionary<string, int> vcpus = new(StringComparer.Ordinal);

    /// <summary>A client of the EC2 at <paramref name="endpoint"/> (a simulator on this machine) in <paramref name="region"/>.</summary>
    public static AccountInstances At(Uri endpoint, string region, AWSCredentials credentials, ResiliencePipeline retry) =>
        new(new AmazonEC2Client(credentials, new AmazonEC2Config
        {
            ServiceURL = endpoint.ToString(),
            AuthenticationRegion = region,
            MaxErrorRetry = 0,
        }), retry);

    public async Task<IReadOnlyList<LiveInstance>> LiveAsync(IReadOnlyCollection<string>? instanceIds, CancellationToken cancellationToken) =>
        await retry.ExecuteAsync(
            async token =>
            {
                var request = new DescribeInstancesRequest { Filters = [Live] };
                if (instanceIds is not null)
                {
                    if (instanceIds.Count == 0)
                    {
                        return [];
                    }

                    request.InstanceIds = [.. instanceIds];
                }

                var found = new List<LiveInstance>();
                await foreach (var reservation in ec2.Paginators.DescribeInstances(request).Reservations.WithCancellation(token).ConfigureAwait(false))
                {
                    found.AddRange((reservation.Instances ?? []).Select(i => new LiveInstance(
                        i.InstanceId,
                        i.InstanceType?.Value ?? "",
                        i.InstanceLifecycle == InstanceLifecycleType.Spot,
                        i.ClientToken)));
                }

                return (IReadOnlyList<LiveInstance>)found;
            },
            cancellationToken).ConfigureAwait(false);

    public async Task<int> VcpusAsync(string instanceType, CancellationToken cancellationToken)
    {
        if (vcpus.TryGetValue(instanceType, out var known))
        {
            return known;
        }

        var answer = await retry.ExecuteAsync(
            async token => await ec2.DescribeInstanceTypesAsync(new DescribeInstanceTypesRequest { InstanceTypes = [instanceType] }, token).ConfigureAwait(false),
            cancellationToken).ConfigureAwait(false);
        var count = answer.InstanceTypes?.FirstOrDefault()?.VCpuInfo?.DefaultVCpus
            ?? throw new InvalidOperationException($"EC2 does not know the vCPUs of instance type {instanceType}");
        return vcpus[instanceType] = count;
    }

    public void Dispose() => ec2.Dispose();
}
