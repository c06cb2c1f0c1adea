using AwsRunner.Core.Cloud.Aws.Ec2;
using AwsRunner.Core.Jobs;
using Microsoft.Extensions.Logging;

namespace AwsRunner.Core.Cloud.Aws;

/// <summary>
/// Launches with as few RunInstances calls as the rows allow: one per instance type (RunInstances is throttled at
/// about two calls a second), each tagged at launch with its rows (<see cref="RowsTag"/>) and carrying a
/// <see cref="LaunchToken"/>. With spot, a call whose spot capacity is refused is made again on demand.
/// </summary>
internal sealed partial class BatchLauncher(IEc2Api ec2, AwsCloudOptions options, ILogger<BatchLauncher> logger)
{
    private static readonly HashSet<string> SpotRefusals = new(StringComparer.Ordinal)
    {
        "InsufficientInstanceCapacity", "MaxSpotInstanceCountExceeded", "SpotMaxPriceTooLow", "UnfulfillableCapacity",
    };

    /// <summary>Launches the rows that have no live instance; <paramref name="described"/> is what the batch had before.</summary>
    public async Task<IReadOnlyList<NodeInstance>> LaunchAsync(
        LaunchRequest request, IReadOnlyList<JobRow> missing, IReadOnlyList<NodeInstance> described, string groupId, CancellationToken cancellationToken)
    {
        var rootDevice = options.VolumeSizeGiB is null
            ? null
            : (await ec2.DescribeImagesAsync(request.ImageId, cancellationToken).ConfigureAwait(false)) is [var image, ..] ? image.RootDeviceName : null;
        var userData = DeadMansSwitch.UserData(request.MaxLifetime);
        var nodes = new List<NodeInstance>();
        foreach (var byType in missing.GroupBy(r => r.InstanceType, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            foreach (var rows in RowsTag.Split(byType.Select(r => r.Index)))
            {
                var previous = described.Where(n => rows.Contains(n.JobIndex)).Select(n => n.InstanceId).ToList();
                var spec = new RunInstancesSpec(
                    request.ImageId,
                    byType.Key,
                    rows.Count,
                    LaunchToken.For(request.Batch, request.ImageId, byType.Key, rows, options.Spot, previous),
                    request.Batch,
                    groupId,
                    userData,
                    [new(AwsTags.Batch, request.Batch), new(RowsTag.Key, RowsTag.Encode(rows)), new("Name", $"awsrunner {request.Batch}")])
                {
                    SubnetId = options.SubnetId,
                    InstanceProfile = options.InstanceProfile,
                    VolumeSizeGiB = options.VolumeSizeGiB,
                    RootDeviceName = rootDevice,
                    Spot = options.Spot,
                };
                var instances = await RunAsync(request.Batch, spec, rows, previous, cancellationToken).ConfigureAwait(false);
                foreach (var instance in instances)
                {
                    if (NodeMapping.ToNode(request.Batch, instance, rows) is { } node)
                    {
                        LogLaunched(logger, node.InstanceId, node.InstanceType, node.JobIndex);
                        nodes.Add(node);
                    }
                }
            }
        }

        return nodes;
    }

    private async Task<IReadOnlyList<Ec2Instance>> RunAsync(string batch, RunInstancesSpec spec, IReadOnlyList<int> rows, IReadOnlyList<string> previous, CancellationToken cancellationToken)
    {
        try
        {
            return await ec2.RunInstancesAsync(spec, cancellationToken).ConfigureAwait(false);
        }
        catch (AwsApiException e) when (spec.Spot && SpotRefusals.Contains(e.Code))
        {
            LogSpotRefused(logger, spec.InstanceType, rows.Count, e.Code);
            var onDemand = spec with { Spot = false, ClientToken = LaunchToken.For(batch, spec.ImageId, spec.InstanceType, rows, spot: false, previous) };
            return await ec2.RunInstancesAsync(onDemand, cancellationToken).ConfigureAwait(false);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Launched {Instance} ({Type}) for job {Index}")]
    private static partial void LogLaunched(ILogger logger, string instance, string type, int index);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Spot capacity for {Count} {Type} refused ({Code}); launching them on demand")]
    private static partial void LogSpotRefused(ILogger logger, string type, int count, string code);
}
