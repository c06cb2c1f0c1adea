using AwsRunner.Tests.Support;

namespace AwsRunner.Tests.Sim;

/// <summary>
/// The simulated fleet the fleet fixtures share, started by the first that asks and stopped after the last
/// (<see cref="SharedFleetLifetime"/>): one fleet for many batches, each test with a batch of its own.
/// </summary>
internal static class SharedFleet
{
    // A minute of shutdown -h +M lasts this long on the fleet: --max-hours 0.02 (2 minutes) powers a node off 30s after
    // boot, long after its dispatch has finished even on a busy machine.
    public const string Minute = "15s";

    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static TempFolder? folder;
    private static SimulatedFleet? fleet;

    public static async Task<SimulatedFleet> GetAsync()
    {
        await Gate.WaitAsync();
        try
        {
            if (fleet is null)
            {
                folder ??= new TempFolder();
                fleet = await SimulatedFleet.StartAsync(folder.Combine("fleet"), "--minute", Minute);
            }

            return fleet;
        }
        finally
        {
            Gate.Release();
        }
    }

    public static async Task StopAsync()
    {
        await Gate.WaitAsync();
        try
        {
            if (fleet is not null)
            {
                await fleet.DisposeAsync();
                fleet = null;
            }

            folder?.Dispose();
            folder = null;
        }
        finally
        {
            Gate.Release();
        }
    }
}
