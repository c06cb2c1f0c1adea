using AwsRunner.Core.Cloud;
using AwsRunner.Core.Cloud.Local;
using AwsRunner.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace AwsRunner.Tests.Cloud.Local;

public sealed class LocalCloudTests
{
    [Test]
    public async Task Vcpus_OfAnyInstanceType_AreThisMachinesProcessors()
    {
        using var home = new TempFolder();
        await using var connection = LocalCloudConnection.Open(home.Path, 2, TimeProvider.System, NullLoggerFactory.Instance);

        var vcpus = await connection.Cloud.GetVcpusAsync(["t3.micro", "p4d.24xlarge"], CancellationToken.None);

        Assert.That(vcpus, Is.EquivalentTo(new Dictionary<string, int> { ["t3.micro"] = Environment.ProcessorCount, ["p4d.24xlarge"] = Environment.ProcessorCount }));
    }

    [Test]
    public async Task UnknownInstanceTypes_AreThoseNotAmongEc2sNames_EachWithTheOneItMostLikelyMeant()
    {
        using var home = new TempFolder();
        await using var connection = LocalCloudConnection.Open(home.Path, 2, TimeProvider.System, NullLoggerFactory.Instance);

        var unknown = await connection.Cloud.FindUnknownInstanceTypesAsync(["t3.micro", "t3.mirco", "c5.larg", "p4d.24xlarge", "zz9.plural"], CancellationToken.None);

        Assert.That(unknown, Is.EquivalentTo(new Dictionary<string, string?> { ["t3.mirco"] = "t3.micro", ["c5.larg"] = "c5.large", ["zz9.plural"] = null }));
    }
}
