using System.Globalization;
using Amazon.Runtime;
using AwsRunner.Sim.Ec2;
using AwsRunner.Sim.Metadata;
using AwsRunner.Sim.Nodes;
using AwsRunner.Sim.Requests;
using AwsRunner.Sim.Spot;
using AwsRunner.Sim.Ssh;
using Microsoft.Extensions.Logging;

namespace AwsRunner.Sim;

/// <summary>
/// Watches EC2 (moto) for instances and keeps one node on this machine per running instance: a new running instance
/// boots a node, an instance terminated through the API takes its node down, a node's own power-off terminates its
/// instance and its own reboot reboots it. Spot instances can be interrupted (on request, or by themselves with
/// --interrupt-spot): their metadata serves the notice, and after the notice period they are terminated. At each
/// look it also answers the requests left in its box. Stopping the fleet takes every node down.
/// <paramref name="tag"/> starts the <see cref="NodeFolder.TagVariable"/> of every process of its nodes.
/// </summary>
internal sealed partial class Fleet(
    FleetSettings settings,
    string tag,
    FleetEc2 ec2,
    FleetServices services,
    AddressMap map,
    TimeProvider time,
    ILoggerFactory loggers) : IAsyncDisposable
{
    private readonly Dictionary<string, SimNode> nodes = new(StringComparer.Ordinal);
    private readonly MetadataService metadata = services.Metadata;
    private readonly RequestBox requests = services.Requests;

    // Whether each node's instance is a spot instance, once EC2 said so.
    private readonly Dictionary<string, bool> spot = new(StringComparer.Ordinal);
    private readonly SpotInterruptions interruptions = new(settings.InterruptSpot, settings.Seed, settings.Minute);
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
                await AnswerRequestsAsync(cancellationToken).ConfigureAwait(false);
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
        catch (Exception e) when (IsLookFailure(e, cancellationToken))
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
                    Stop(node);
                }
            }
            else if (instance.State == "running")
            {
                var nodeFolder = new NodeFolder(settings.NodesFolder, tag, instance.InstanceId, metadata.BaseUrl(instance.InstanceId));
                node = new SimNode(instance, nodeFolder, settings, ec2, map, time, loggers.CreateLogger<SimNode>());
                nodes.Add(instance.InstanceId, node);
                metadata.Serve(new InstanceMetadata(instance.InstanceId, instance.InstanceType, instance.ImageId));
                LogBooting(logger, instance.InstanceId);
                node.Boot();
            }
        }

        // Terminated instances are not listed; nor is anything after moto was reset.
        foreach (var node in nodes.Values.Where(n => !n.Stopped && !seen.Contains(n.InstanceId)).ToList())
        {
            LogInstanceEnded(logger, node.InstanceId, "terminated");
            Stop(node);
        }

        await LearnLifecyclesAsync(cancellationToken).ConfigureAwait(false);
        var now = time.GetUtcNow();
        foreach (var node in nodes.Values.Where(n => !n.Stopped && n.Interruption?.TerminateAt <= now).ToList())
        {
            LogInterrupted(logger, node.InstanceId);
            metadata.Remove(node.InstanceId);
            work.Add(node.TerminateAsync(cancellationToken));
        }

        foreach (var node in nodes.Values.Where(n => !n.Stopped && !n.Rebooting).ToList())
        {
            switch (node.DuePowerAction(now))
            {
                case PowerAction.PowerOff:
                    metadata.Remove(node.InstanceId);
                    work.Add(node.PowerOffAsync(cancellationToken));
                    break;
                case PowerAction.Reboot:
                    work.Add(node.RebootAsync());
                    break;
            }
        }
    }

    /// <summary>Asks EC2 which of the nodes not yet known are spot instances; a spot instance may be planned an interruption.</summary>
    private async Task LearnLifecyclesAsync(CancellationToken cancellationToken)
    {
        var unknown = nodes.Values.Where(n => !n.Stopped && !spot.ContainsKey(n.InstanceId)).Select(n => n.InstanceId).ToList();
        if (unknown.Count == 0)
        {
            return;
        }

        IReadOnlyList<LiveInstance> live;
        try
        {
            live = await services.Account.LiveAsync(unknown, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (IsLookFailure(e, cancellationToken))
        {
            LogLookFailed(logger, e.Message);
            return;
        }

        foreach (var instance in live)
        {
            spot[instance.InstanceId] = instance.Spot;
            var node = nodes[instance.InstanceId];
            if (instance.Spot && interruptions.Plan(node.BootedAt) is { } planned)
            {
                Interrupt(node, planned);
            }
        }
    }

    private async Task AnswerRequestsAsync(CancellationToken cancellationToken)
    {
        foreach (var request in requests.Take())
        {
            if (!nodes.TryGetValue(request.InstanceId, out var node) || node.Stopped)
            {
                requests.Answer(request.Id, FleetAnswer.Refused($"no instance {request.InstanceId} runs on this fleet"));
            }
            else if (request.Command == NodeCommand.Reboot)
            {
                LogRebootRequested(logger, node.InstanceId);
                work.Add(RebootOnRequestAsync(node, request));
            }
            else
            {
                if (!spot.ContainsKey(node.InstanceId))
                {
                    await LearnLifecyclesAsync(cancellationToken).ConfigureAwait(false);
                }

                requests.Answer(request.Id, InterruptOnRequest(node));
            }
        }
    }

    private FleetAnswer InterruptOnRequest(SimNode node)
    {
        if (!spot.TryGetValue(node.InstanceId, out var isSpot))
        {
            return FleetAnswer.Refused($"EC2 did not say whether {node.InstanceId} is a spot instance; try again");
        }

        if (!isSpot)
        {
            return FleetAnswer.Refused($"{node.InstanceId} is not a spot instance (its InstanceLifecycle is not \"spot\"): only spot instances are interrupted");
        }

        var now = time.GetUtcNow();
        if (node.Interruption is not { } interruption || !interruption.Noticed(now))
        {
            interruption = Interruption.NoticedAt(now, settings.Minute);
            Interrupt(node, interruption);
        }

        return FleetAnswer.Acknowledged(
            string.Create(CultureInfo.InvariantCulture,
                $"{node.InstanceId} has its interruption notice; it is terminated at {interruption.TerminateAt.UtcDateTime:HH:mm:ss} UTC, in {(interruption.TerminateAt - now).TotalSeconds:0.#} s"));
    }

    private void Interrupt(SimNode node, Interruption interruption)
    {
        node.Interruption = interruption;
        var instance = node.Instance;
        metadata.Serve(new InstanceMetadata(instance.InstanceId, instance.InstanceType, instance.ImageId) { Interruption = interruption });
        LogInterruptionPlanned(logger, node.InstanceId, interruption.NoticeAt.UtcDateTime, interruption.TerminateAt.UtcDateTime);
    }

    private async Task RebootOnRequestAsync(SimNode node, FleetRequest request)
    {
        await node.RebootAsync().ConfigureAwait(false);
        requests.Answer(request.Id, node.Stopped
            ? FleetAnswer.Refused($"{node.InstanceId} went down before it rebooted")
            : FleetAnswer.Acknowledged($"{node.InstanceId} rebooted: its processes ended, it boots again"));
    }

    private void Stop(SimNode node)
    {
        metadata.Remove(node.InstanceId);
        work.Add(node.StopAsync());
    }

    private static bool IsLookFailure(Exception e, CancellationToken cancellationToken) =>
        e is AmazonServiceException or HttpRequestException || (e is TaskCanceledException && !cancellationToken.IsCancellationRequested);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Instance} is running: booting its node")]
    private static partial void LogBooting(ILogger logger, string instance);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Instance} is {State}: taking its node down")]
    private static partial void LogInstanceEnded(ILogger logger, string instance, string state);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Instance}: spot interruption, notice from {NoticeAt:HH:mm:ss.fff}, terminated at {TerminateAt:HH:mm:ss.fff} (UTC)")]
    private static partial void LogInterruptionPlanned(ILogger logger, string instance, DateTime noticeAt, DateTime terminateAt);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Instance}: the spot notice period is over; EC2 terminates it")]
    private static partial void LogInterrupted(ILogger logger, string instance);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Instance}: reboot requested")]
    private static partial void LogRebootRequested(ILogger logger, string instance);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not list the instances: {Error}")]
    private static partial void LogLookFailed(ILogger logger, string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "Stopping: taking every node down")]
    private static partial void LogStopping(ILogger logger);
}
