namespace AwsRunner.Tests.Sim;

/// <summary>Stops the shared fleet once every fixture of the simulated fleet has run.</summary>
[SetUpFixture]
public sealed class SharedFleetLifetime
{
    [OneTimeTearDown]
    public Task StopSharedFleetAsync() => SharedFleet.StopAsync();
}
