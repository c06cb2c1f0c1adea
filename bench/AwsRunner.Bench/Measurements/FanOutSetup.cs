using System.Diagnostics;
using System.Globalization;
using AwsRunner.Core.Cloud.Aws.Ec2;

namespace AwsRunner.Bench.Measurements;

/// <summary>What both tools' fan-out runs share: the fleet, the code, the job, and the checks and clean-up after each run.</summary>
internal sealed class FanOutSetup(BenchContext context, FanOutFleet fleet, FanOutCode code, ReapedCommand reaped, int nodes)
{
    /// <summary>
    /// Every node's detached command: it says when it started, then outlives the measurement (each run's instances are
    /// terminated before the next, which ends it).
    /// </summary>
    public const string Job = "date +%s%N > $HOME/job-started && sleep 900";

    public const string Image = "ami-760aaa0f";
    public const string InstanceType = "t3.micro";

    private static readonly TimeSpan JobStartTimeout = TimeSpan.FromSeconds(10);

    private int runs;

    public BenchContext Context => context;

    public FanOutFleet Fleet => fleet;

    public FanOutCode Code => code;

    public ReapedCommand Reaped => reaped;

    public int Nodes => nodes;

    /// <summary>A folder and batch name of the run's own.</summary>
    public (string Folder, string Name) NextRun()
    {
        var number = Interlocked.Increment(ref runs);
        return (context.Work.Fresh("fan-out", $"r{number}"), $"fan-out-{number}");
    }

    /// <summary>
    /// Checks that every node got the whole code folder (INSTALL.sh's marker) and runs its job, then ends the run's
    /// instances (moto forgets everything) and waits until the fleet has taken their nodes down. Gives the moment the
    /// last job started, on the clock of <see cref="Stopwatch"/> (its nanoseconds, as the job wrote them, moved from the
    /// wall clock by the offset of the two now): a tool may exit before every job began (awsrunner hands each node its
    /// work and returns; the node then fetches the queue and claims its row), and the clock stops at whichever is later.
    /// </summary>
    public async Task<long> FinishAsync(string tool, IReadOnlyList<Ec2Instance> instances, CancellationToken cancellationToken)
    {
        try
        {
            var deadline = Stopwatch.StartNew();
            List<string> missing;
            while ((missing = instances.Where(i => !Done(i.InstanceId)).Select(i => i.InstanceId).ToList()).Count > 0)
            {
                if (deadline.Elapsed > JobStartTimeout)
                {
                    throw new InvalidOperationException($"{tool}: {missing.Count} of {instances.Count} nodes have no installed marker or no started job: {string.Join(", ", missing.Take(5))}");
                }

                await Task.Delay(TimeSpan.FromMilliseconds(100), cancellationToken);
            }

            var lastStart = instances.Count == 0 ? 0 : instances.Max(i => long.Parse(File.ReadAllText(Path.Combine(fleet.NodeHome(i.InstanceId), "job-started")).Trim(), CultureInfo.InvariantCulture));
            var wallNow = (DateTimeOffset.UtcNow - DateTimeOffset.UnixEpoch).Ticks * 100;
            return Stopwatch.GetTimestamp() - (wallNow - lastStart);
        }
        finally
        {
            await context.Moto.ResetAsync(cancellationToken);
            await fleet.WaitNoNodesAsync(cancellationToken);
        }
    }

    private bool Done(string instanceId) =>
        File.Exists(Path.Combine(fleet.NodeHome(instanceId), "installed")) && File.Exists(Path.Combine(fleet.NodeHome(instanceId), "job-started"));
}
