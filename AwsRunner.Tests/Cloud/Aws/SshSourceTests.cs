using System.Net;
using AwsRunner.Core;
using AwsRunner.Core.Cloud.Aws;
using NUnit.Framework;

namespace AwsRunner.Tests.Cloud.Aws;

[TestFixture]
public sealed class SshSourceTests
{
    [TestCase("203.0.113.7", "203.0.113.7/32")]
    [TestCase("2001:db8::7", "2001:db8::7/128")]
    public async Task Resolve_WithoutSshCidr_IsThisMachinesPublicAddressAlone(string address, string cidr)
    {
        var source = new SshSource(null, customEndpoint: false, new FixedAddress(IPAddress.Parse(address)));

        Assert.That(await source.ResolveAsync(CancellationToken.None), Is.EqualTo(cidr));
    }

    [TestCase("2001:db8::7", "2001:db8::7/128")]
    [TestCase("2001:db8::/32", "2001:db8::/32")]
    [TestCase("198.51.100.0/24", "198.51.100.0/24")]
    public async Task Resolve_SshCidr_IsNormalized(string given, string cidr)
    {
        var source = new SshSource(given, customEndpoint: true, null);

        Assert.That(await source.ResolveAsync(CancellationToken.None), Is.EqualTo(cidr));
    }

    [Test]
    public void Resolve_AddressNotFound_AsksForSshCidr()
    {
        var source = new SshSource(null, customEndpoint: false, new FixedAddress(null));

        var error = Assert.ThrowsAsync<InvalidInputException>(() => source.ResolveAsync(CancellationToken.None));

        Assert.That(error!.Message, Does.Contain("AwsCloudOptions.SshCidr"));
    }

    private sealed class FixedAddress(IPAddress? address) : IPublicAddressLookup
    {
        public Task<IPAddress?> FindAsync(CancellationToken cancellationToken) => Task.FromResult(address);
    }
}
