using AwsRunner.Tests.Support;
using NUnit.Framework;

namespace AwsRunner.Tests.Cloud.Aws;

/// <summary>Stops the shared moto_server once every AWS test has run.</summary>
[SetUpFixture]
public sealed class MotoServerLifetime
{
    [OneTimeTearDown]
    public async Task StopAsync() => await MotoServer.StopSharedAsync();
}
