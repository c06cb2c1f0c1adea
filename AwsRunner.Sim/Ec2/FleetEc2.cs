using System.Text;
using Amazon.EC2;
using Amazon.EC2.Model;
using AwsRunner.Core.Cloud.Aws;
using Polly;

namespace AwsRunner.Sim.Ec2;

/// <summary>The EC2 calls the fleet makes, through AWSSDK.EC2 and awsrunner's retry pipeline.</summary>
internal sealed class FleetEc2(IAmazonEC2 ec2, ResiliencePipeline retry) : IDisposable
{
    // Terminated instances stay listed for a while (in moto, forever): leaving them out keeps every look small.
    private static readonly Filter NotTerminated = new("instance-state-name", ["pending", "running", "shutting-down", "stopping", "stopped"]);

    /// <summary>EC2 of the session's endpoint and region, with the SDK's retries off as awsrunner has them.</summary>
    public static FleetEc2 Open(AwsSession session, ResiliencePipeline retry) => new(SdkClients.Ec2(session), retry);

    /// <summary>Every instance of the region that is not terminated, whoever launched it.</summary>
    public async Task<IReadOnlyList<FleetInstance>> DescribeInstancesAsync(CancellationToken cancellationToken)
    {
        var instances = new List<FleetInstance>();
        await retry.ExecuteAsync(async token =>
        {
            instances.Clear();
            var pages = ec2.Paginators.DescribeInstances(new DescribeInstancesRequest { Filters = [NotTerminated] }).Reservations;
            await foreach (var reservation in pages.WithCancellation(token).ConfigureAwait(false))
            {
                instances.AddRange((reservation.Instances ?? []).Select(ToInstance));
            }
        }, cancellationToken).ConfigureAwait(false);
        return instances;
    }

    /// <summary>The public half of a key pair (OpenSSH format), or null when EC2 has no such key pair.</summary>
    public async Task<string?> PublicKeyAsync(string keyName, CancellationToken cancellationToken)
    {
        try
        {
            var request = new DescribeKeyPairsRequest { KeyNames = [keyName], IncludePublicKey = true };
            var response = await retry.ExecuteAsync(async token => await ec2.DescribeKeyPairsAsync(request, token).ConfigureAwait(false), cancellationToken)
                .ConfigureAwait(false);
            return (response.KeyPairs ?? []).Where(k => k.KeyName == keyName).Select(k => k.PublicKey).FirstOrDefault();
        }
        catch (AmazonEC2Exception e) when (e.ErrorCode == "InvalidKeyPair.NotFound")
        {
            return null;
        }
    }

    /// <summary>The instance's user data, decoded; null when it has none.</summary>
    public async Task<string?> UserDataAsync(string instanceId, CancellationToken cancellationToken)
    {
        var request = new DescribeInstanceAttributeRequest { InstanceId = instanceId, Attribute = InstanceAttributeName.UserData };
        var response = await retry.ExecuteAsync(async token => await ec2.DescribeInstanceAttributeAsync(request, token).ConfigureAwait(false), cancellationToken)
            .ConfigureAwait(false);
        return response.InstanceAttribute?.UserData is { Length: > 0 } encoded ? Encoding.UTF8.GetString(Convert.FromBase64String(encoded)) : null;
    }

    public async Task TerminateAsync(string instanceId, CancellationToken cancellationToken)
    {
        var request = new TerminateInstancesRequest { InstanceIds = [instanceId] };
        await retry.ExecuteAsync(async token => await ec2.TerminateInstancesAsync(request, token).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
    }

    public void Dispose() => ec2.Dispose();

    private static FleetInstance ToInstance(Instance i) => new(
        i.InstanceId,
        i.State?.Name?.Value ?? "pending",
        i.InstanceType?.Value ?? "",
        i.ImageId ?? "",
        i.KeyName,
        i.PublicIpAddress,
        i.PrivateIpAddress,
        i.Placement?.AvailabilityZone);
}
