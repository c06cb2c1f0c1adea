using System.Net;
using System.Net.Sockets;

namespace AwsRunner.Core.Cloud.Aws;

/// <summary>
/// The addresses the batch's security group lets in on port 22: <c>--ssh-cidr</c>, else this machine's public
/// address /32. Never the whole internet unless the user says so; and never a lookup on the internet when an
/// emulator endpoint is used (its nodes are not on the internet either), where <c>--ssh-cidr</c> must be given.
/// </summary>
internal sealed class SshSource(string? sshCidr, bool customEndpoint, IPublicAddressLookup? lookup)
{
    private string? resolved;

    public async Task<string> ResolveAsync(CancellationToken cancellationToken)
    {
        if (resolved is not null)
        {
            return resolved;
        }

        if (sshCidr is not null)
        {
            return resolved = Normalize(sshCidr);
        }

        if (customEndpoint || lookup is null)
        {
            throw new InvalidInputException("SshCidr",
                "AwsCloudOptions.SshCidr is needed with AwsCloudOptions.EndpointUrl: give the addresses allowed to reach the nodes on SSH, such as AwsCloudOptions.SshCidr 127.0.0.1/32");
        }

        var address = await lookup.FindAsync(cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidInputException("SshCidr",
                "this machine's public address could not be found out: give the addresses allowed to reach the nodes on SSH with AwsCloudOptions.SshCidr, such as AwsCloudOptions.SshCidr 203.0.113.7/32");
        return resolved = $"{address}/{(address.AddressFamily == AddressFamily.InterNetworkV6 ? 128 : 32)}";
    }

    private static string Normalize(string cidr)
    {
        var text = cidr.Trim();
        if (IPAddress.TryParse(text, out var single) && !text.Contains('/', StringComparison.Ordinal))
        {
            text = $"{single}/{(single.AddressFamily == AddressFamily.InterNetworkV6 ? 128 : 32)}";
        }

        // IPNetwork drops host bits silently; a range whose address is not its start is more likely a typo.
        if (IPNetwork.TryParse(text, out var network) && IPAddress.TryParse(text.Split('/')[0], out var start) && start.Equals(network.BaseAddress))
        {
            return network.ToString();
        }

        throw new InvalidInputException("SshCidr",
            $"AwsCloudOptions.SshCidr \"{cidr}\": give an address range such as 203.0.113.7/32 (the address must be the range's first)");
    }
}
