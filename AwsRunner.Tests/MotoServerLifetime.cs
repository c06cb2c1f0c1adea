using AwsRunner.Tests.Support;
using NUnit.Framework;

namespace AwsRunner.Tests;

/// <summary>
/// Stops the shared moto_server once every test has run: in the root namespace, since the node's tests over HTTP use it
/// too, and a server stopped after the AWS tests alone was gone for them.
/// </summary>
[SetUpFixture]
public sealed class MotoServerLifetime
{
    [OneTimeTearDown]
    public async Task StopAsync() => await MotoServer.StopSharedAsync();
}
