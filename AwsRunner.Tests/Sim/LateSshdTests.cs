using AwsRunner.Tests.Support;

namespace AwsRunner.Tests.Sim;

/// <summary>A fleet whose nodes start sshd only seconds after their instance runs, as slow images do.</summary>
[TestFixture]
[Parallelizable(ParallelScope.Self)]
public sealed class LateSshdTests
{
    private const int SshdDelaySeconds = 4;

    private TempFolder? fleetFolder;
    private SimulatedFleet? fleet;

    [OneTimeSetUp]
    public async Task StartFleetAsync()
    {
        fleetFolder = new TempFolder();
        fleet = await SimulatedFleet.StartAsync(fleetFolder.Combine("fleet"), "--sshd-delay", $"{SshdDelaySeconds}s");
    }

    [OneTimeTearDown]
    public async Task StopFleetAsync()
    {
        if (fleet is not null)
        {
            await fleet.DisposeAsync();
        }

        fleetFolder?.Dispose();
    }

    [Test]
    public async Task Dispatch_SshdStartsSecondsAfterTheInstanceRuns_WaitsForItAndSucceeds()
    {
        using var batch = new FleetBatch(fleet!, "fleet-late-sshd");
        batch.Write("code/jobs.csv", """
            instance_type,command
            t3.micro,mkdir -p output && hostname > output/host.txt
            c5.large,mkdir -p output && hostname > output/host.txt
            """);

        var dispatch = await batch.DispatchAsync("-v");
        var instances = await batch.WaitTerminatedAsync(TimeSpan.FromSeconds(60));
        var status = await batch.StatusAsync();
        var down = await batch.RunAsync("down", batch.Name, "--delete-results");
        var left = await batch.LeftoversAsync();

        Assert.Multiple(() =>
        {
            Assert.That(dispatch.ExitCode, Is.Zero, dispatch.ToString());
            Assert.That(dispatch.Output, Does.Contain("2 of 2 nodes started"));
            Assert.That(dispatch.Error, Does.Contain("does not answer yet"), "awsrunner had to wait for sshd");
            Assert.That(fleet!.Log, Does.Contain($"sshd starts in 00:00:0{SshdDelaySeconds}"));
            Assert.That(instances, Has.Count.EqualTo(2));
            Assert.That(FleetBatch.States(status), Is.All.EqualTo("done"));
            Assert.That(down.ExitCode, Is.Zero, down.ToString());
            Assert.That(left, Is.Empty);
        });
    }
}
