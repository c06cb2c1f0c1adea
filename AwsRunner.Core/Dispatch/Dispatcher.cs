using System.Diagnostics;
using AwsRunner.Core.Ledger;

namespace AwsRunner.Core.Dispatch;

/// <summary>This process as a dispatcher of batches: the name its launch claims carry, and whether another's is gone.</summary>
internal sealed class Dispatcher
{
    public static Dispatcher Current { get; } = new();

    private Dispatcher()
    {
    }

    public string Id { get; } = Guid.NewGuid().ToString("N");

    /// <summary>A claim of this dispatcher's, made at <paramref name="at"/> on the bucket's clock.</summary>
    public LaunchClaim Claim(DateTimeOffset at) => new(Id, at, Environment.MachineName, Environment.ProcessId);

    /// <summary>
    /// Whether a claim's dispatcher is gone for sure: a process of this machine that no longer runs (a dispatch killed
    /// mid-launch and run again). Of another machine nothing is known here; its claim waits to go stale.
    /// </summary>
    public static bool IsGone(LaunchClaim claim)
    {
        if (claim.Host != Environment.MachineName || claim.Process is not { } pid || claim.By == Current.Id)
        {
            return false;
        }

        try
        {
            using var process = Process.GetProcessById(pid);
            return process.HasExited;
        }
        catch (ArgumentException)
        {
            return true;
        }
    }
}
