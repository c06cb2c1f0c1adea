using Amazon.Runtime;
using AwsRunner.Sim.Ec2;
using AwsRunner.Sim.Nodes;
using AwsRunner.Sim.Ssh;
using Microsoft.Extensions.Logging;

namespace AwsRunner.Sim;

/// <summary>
/// Watches EC2 (moto) for instances and keeps one node on this machine per running instance: a new running instance
/// boots a node, an instance terminated through the API takes its node down, a node's own power-off terminates its
/// instance. Stopping the fleet takes every node down. <paramref name="tag"/> starts the
/// <see cref="NodeFolder.TagVariable"/> of every process of its nodes.
/// </summary>
internal sealed partial class Fleet(FleetSettings settings, string tag, FleetEc2 ec2, AddressMap map, TimeProvider time, ILoggerFactory loggers)
    : IAsyncDisposable
{
    private readonly Dictionary<string, SimNode> nodes = new(StringComparer.Ordinal);
    private readonly List<Task> work = [];
    private readonly ILogger logger = loggers.CreateLogger<Fleet>();

    /// <summary>Looks every poll interval until cancelled.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(settings.PollInterval, time);
        try
        {
            do
            {
                await LookAsync(cancellationToken).ConfigureAwait(false);
                work.RemoveAll(t => t.IsCompleted);
            }
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            LogStopping(logger);
        }
    }

    public async ValueTask DisposeAsync()
    {
        var stops = nodes.Values.Where(n => !n.Stopped).Select(n => n.StopAsync()).ToList();
        try
        {
            await Task.WhenAll(work.Concat(stops)).ConfigureAwait(false);
        }
        finally
        {
            // Whatever a node started while it was being taken down, or a node that failed to go down.
            await TaggedProcesses.KillAllAsync(NodeFolder.TagVariable, tag, time).ConfigureAwait(false);
            foreach (var node in nodes.Values)
            {
                node.Dispose();
            }
        }
    }

    private async Task LookAsync(CancellationToken cancellationToken)
    {
        IReadOnlyList<FleetInstance> instances;
        try
        {
            instances = await ec2.DescribeInstancesAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is AmazonServiceException or HttpRequestException || (e is TaskCanceledException && !cancellationToken.IsCancellationRequested))
        {
            LogLookFailed(logger, e.Message);
            return;
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var instance in instances)
        {
            seen.Add(instance.InstanceId);
            if (nodes.TryGetValue(instance.InstanceId, out var node))
            {
                if (!instance.IsLive && !node.Stopped)
                {
                    LogInstanceEnded(logger, instance.InstanceId, instance.State);
                    work.Add(node.StopAsync());
                }
            }
            else if (instance.State == "running")
            {
                node = new SimNode(instance, new NodeFolder(settings.NodesFolder, tag, instance.InstanceId), settings, ec2, map, time, loggers.CreateLogger<SimNode>());
                nodes.Add(instance.InstanceId, node);
                LogBooting(logger, instance.InstanceId);
                node.Boot();
            }
        }

        // Terminated instances are not listed; nor is anything after moto was reset.
        foreach (var node in nodes.Values.Where(n => !n.Stopped && !seen.Contains(n.InstanceId)))
        {
            LogInstanceEnded(logger, node.InstanceId, "terminated");
            work.Add(node.StopAsync());
        }

        var now = time.GetUtcNow();
        foreach (var node in nodes.Values.Where(n => !n.Stopped && n.PowerOffDue(now)).ToList())
        {
            work.Add(node.PowerOffAsync(cancellationToken));
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Instance} is running: booting its node")]
    private static partial void LogBooting(ILogger logger, string instance);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Instance} is {State}: taking its node down")]
    private static partial void LogInstanceEnded(ILogger logger, string instance, string state);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not list the instances: {Error}")]
    private static partial void LogLookFailed(ILogger logger, string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "Stopping: taking every node down")]
    private static partial void LogStopping(ILogger logger);
}
