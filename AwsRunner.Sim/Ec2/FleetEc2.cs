using System.Text;
using System.Xml.Linq;
using AwsRunner.Core.Cloud.Aws.Ec2;

namespace AwsRunner.Sim.Ec2;

/// <summary>The EC2 calls the fleet makes, over awsrunner's own Query-protocol transport.</summary>
internal sealed class FleetEc2(AwsQueryTransport transport) : IDisposable
{
    // Terminated instances stay listed for a while (in moto, forever): leaving them out keeps every look small.
    private static readonly Ec2Filter NotTerminated = new("instance-state-name", ["pending", "running", "shutting-down", "stopping", "stopped"]);

    /// <summary>Every instance of the region that is not terminated, whoever launched it.</summary>
    public async Task<IReadOnlyList<FleetInstance>> DescribeInstancesAsync(CancellationToken cancellationToken)
    {
        var root = await transport.SendAsync(Form("DescribeInstances").AddFilters([NotTerminated]), cancellationToken).ConfigureAwait(false);
        return root.Items("reservationSet").SelectMany(r => r.Items("instancesSet")).Select(ToInstance).ToList();
    }

    /// <summary>The public half of a key pair (OpenSSH format), or null when EC2 has no such key pair.</summary>
    public async Task<string?> PublicKeyAsync(string keyName, CancellationToken cancellationToken)
    {
        try
        {
            var root = await transport.SendAsync(
                Form("DescribeKeyPairs").Add("KeyName.1", keyName).Add("IncludePublicKey", "true"), cancellationToken).ConfigureAwait(false);
            return root.Items("keySet").Where(k => k.Text("keyName") == keyName).Select(k => k.Text("publicKey")).FirstOrDefault();
        }
        catch (AwsApiException e) when (e.Code == "InvalidKeyPair.NotFound")
        {
            return null;
        }
    }

    /// <summary>The instance's user data, decoded; null when it has none.</summary>
    public async Task<string?> UserDataAsync(string instanceId, CancellationToken cancellationToken)
    {
        var root = await transport.SendAsync(
            Form("DescribeInstanceAttribute").Add("InstanceId", instanceId).Add("Attribute", "userData"), cancellationToken).ConfigureAwait(false);
        return root.Child("userData").Text("value") is { } encoded ? Encoding.UTF8.GetString(Convert.FromBase64String(encoded)) : null;
    }

    public async Task TerminateAsync(string instanceId, CancellationToken cancellationToken) =>
        await transport.SendAsync(Form("TerminateInstances").Add("InstanceId.1", instanceId), cancellationToken).ConfigureAwait(false);

    public void Dispose() => transport.Dispose();

    private static QueryForm Form(string action) => new(action, Ec2QueryClient.Version);

    private static FleetInstance ToInstance(XElement i) => new(
        i.Required("instanceId"),
        i.Child("instanceState").Text("name") ?? "pending",
        i.Text("instanceType") ?? "",
        i.Text("imageId") ?? "",
        i.Text("keyName"),
        i.Text("ipAddress"),
        i.Text("privateIpAddress"),
        i.Child("placement").Text("availabilityZone"));
}
