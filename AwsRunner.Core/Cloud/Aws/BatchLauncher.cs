using System.Globalization;
using Amazon.EC2;
using Amazon.Runtime;
using AwsRunner.Core.Cloud.Aws.Ec2;
using AwsRunner.Core.Dispatch;
using AwsRunner.Core.Jobs;
using Microsoft.Extensions.Logging;

namespace AwsRunner.Core.Cloud.Aws;

/// <summary>
/// Launches with as few RunInstances calls as the rows allow: one per instance type (RunInstances is throttled at
/// about two calls a second), each tagged at launch with its rows (<see cref="RowsTag"/>) and carrying a
/// <see cref="LaunchToken"/>. With spot, a call whose spot capacity is refused is made again on demand, and its
/// instances say so in a tag (<see cref="AwsTags.SpotRefused"/>). A call refused for the account's limits fails the
/// launch with the vCPUs the batch asked for, or, with <see cref="LaunchRequest.WithinQuota"/>, is made again letting
/// EC2 launch fewer (MinCount 1), then for half as many, until EC2 grants some or even one is refused.
/// </summary>
internal sealed partial class BatchLauncher(IEc2Api ec2, AwsCloudOptions options, ServerClock clock, ILogger<BatchLauncher> logger)
{
    private static readonly HashSet<string> SpotRefusals = new(StringComparer.Ordinal)
    {
        "InsufficientInstanceCapacity", "MaxSpotInstanceCountExceeded", "SpotMaxPriceTooLow", "UnfulfillableCapacity",
    };

    private static readonly HashSet<string> LimitRefusals = new(StringComparer.Ordinal)
    {
        "VcpuLimitExceeded", "InstanceLimitExceeded", "InsufficientInstanceCapacity",
    };

    /// <summary>Launches the rows that have no live instance; <paramref name="described"/> is what the batch had before.</summary>
    public async Task<LaunchResult> LaunchAsync(
        LaunchRequest request, IReadOnlyList<JobRow> missing, IReadOnlyList<NodeInstance> described, string groupId, Ec2Image image, CancellationToken cancellationToken)
    {
        // On S3's clock (create has asked the bucket by now), near EC2's that the launch time and so the runner's own
        // switch go by: this machine's clock, minutes off, would move the power-off against that switch.
        var userData = DeadMansSwitch.UserData(NodeDeadline.PowerOffAt(clock.Now, request.MaxLifetime.TotalHours));
        var rootDevice = image.RootDeviceType is null or "ebs" ? image.RootDeviceName : null;
        if (rootDevice is null)
        {
            LogRootNotEncrypted(logger, image.ImageId, image.RootDeviceType ?? "unknown");
        }

        var nodes = new List<NodeInstance>();
        var shortfalls = new List<(string Type, int Asked, int Granted, AmazonServiceException Refusal)>();
        // Rows whose spot instances were taken back too often go on demand, in calls of their own.
        foreach (var byType in missing
            .GroupBy(r => (r.InstanceType, Spot: options.Spot && !request.OnDemandRows.Contains(r.Index)))
            .OrderBy(g => g.Key.InstanceType, StringComparer.Ordinal).ThenBy(g => g.Key.Spot))
        {
            var (instanceType, spot) = byType.Key;
            foreach (var rows in RowsTag.Split(byType.Select(r => r.Index)))
            {
                var previous = described.Where(n => rows.Contains(n.JobIndex)).Select(n => n.InstanceId).ToList();
                var spec = new RunInstancesSpec(
                    request.ImageId,
                    instanceType,
                    rows.Count,
                    LaunchToken.For(request.Batch, request.ImageId, instanceType, rows, spot, previous),
                    request.Batch,
                    groupId,
                    userData,
                    Tags(request.Batch, rows))
                {
                    SubnetId = options.SubnetId,
                    InstanceProfile = options.InstanceProfile,
                    VolumeSizeGiB = options.VolumeSizeGiB,
                    RootDeviceName = rootDevice,
                    ImageVolumeSizeGiB = image.RootVolumeSizeGiB,
                    // Containers on the node (docker's bridge is one more hop) must still reach the role's credentials.
                    MetadataHopLimit = options.InstanceProfile is null ? 1 : 2,
                    Spot = spot,
                };
                var (instances, limited) = await RunAsync(request, missing, spec, rows, previous, cancellationToken).ConfigureAwait(false);
                if (limited is not null)
                {
                    shortfalls.Add((instanceType, rows.Count, instances.Count, limited));
                }

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

        return new LaunchResult(nodes, Shortfall(missing.Count, nodes.Count, shortfalls));
    }

    private async Task<(IReadOnlyList<Ec2Instance> Instances, AmazonServiceException? Limited)> RunAsync(
        LaunchRequest request, IReadOnlyList<JobRow> missing, RunInstancesSpec spec, IReadOnlyList<int> rows, IReadOnlyList<string> previous,
        CancellationToken cancellationToken)
    {
        var attempt = spec;
        AmazonServiceException? limited = null;
        while (true)
        {
            try
            {
                return (await ec2.RunInstancesAsync(attempt, cancellationToken).ConfigureAwait(false), limited);
            }
            catch (AmazonEC2Exception e) when (attempt.Spot && SpotRefusals.Contains(e.ErrorCode))
            {
                LogSpotRefused(logger, attempt.InstanceType, attempt.Count, e.ErrorCode);
                var asked = rows.Take(attempt.Count).ToList();
                attempt = attempt with
                {
                    Spot = false,
                    ClientToken = LaunchToken.For(request.Batch, attempt.ImageId, attempt.InstanceType, asked, spot: false, previous, attempt.MinCount),
                    Tags = [.. attempt.Tags, new Ec2Tag(AwsTags.SpotRefused, e.ErrorCode)],
                };
            }
            catch (AmazonEC2Exception e) when (LimitRefusals.Contains(e.ErrorCode))
            {
                if (!request.WithinQuota)
                {
                    throw await LimitErrorAsync(request.Batch, missing, e, cancellationToken).ConfigureAwait(false);
                }

                limited = e;
                var fewer = attempt.MinCount is null ? attempt.Count : attempt.Count / 2;
                if (fewer < 1)
                {
                    return ([], limited);
                }

                LogLimited(logger, attempt.InstanceType, attempt.Count, e.ErrorCode, fewer);
                var asked = rows.Take(fewer).ToList();
                attempt = attempt with
                {
                    Count = fewer,
                    MinCount = 1,
                    ClientToken = LaunchToken.For(request.Batch, attempt.ImageId, attempt.InstanceType, asked, attempt.Spot, previous, minCount: 1),
                    Tags = [.. Tags(request.Batch, asked), .. attempt.Tags.Where(t => t.Key == AwsTags.SpotRefused)],
                };
            }
        }
    }

    private static List<Ec2Tag> Tags(string batch, IReadOnlyList<int> rows) =>
        [new(AwsTags.Batch, batch), new(RowsTag.Key, RowsTag.Encode(rows)), new("Name", $"awsrunner {batch}")];

    /// <summary>The refusal, with what the batch asked for in vCPUs (the unit of EC2's on-demand quotas) and what to do.</summary>
    private async Task<CloudException> LimitErrorAsync(string batch, IReadOnlyList<JobRow> missing, AmazonEC2Exception refusal, CancellationToken cancellationToken)
    {
        var attempting = $"launch {missing.Count} instances for batch {batch}";
        var perType = missing.GroupBy(r => r.InstanceType, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal).ToList();
        IReadOnlyDictionary<string, int> vcpus;
        try
        {
            vcpus = await ec2.DescribeVcpusAsync(perType.Select(g => g.Key).ToList(), cancellationToken).ConfigureAwait(false);
        }
        catch (AmazonServiceException e)
        {
            // The refusal is what matters; without the counts it is still said whole.
            LogVcpusUnknown(logger, e.ErrorCode ?? e.Message);
            vcpus = new Dictionary<string, int>();
        }

        var asked = perType.All(g => vcpus.ContainsKey(g.Key))
            ? $"the batch asks for {missing.Count} instances, {perType.Sum(g => g.Count() * vcpus[g.Key]).ToString(CultureInfo.InvariantCulture)} vCPUs " +
              $"({string.Join(", ", perType.Select(g => $"{g.Key} x{g.Count()} of {vcpus[g.Key]} vCPUs"))})"
            : $"the batch asks for {missing.Count} instances ({string.Join(", ", perType.Select(g => $"{g.Key} x{g.Count()}"))})";
        var hint = refusal.ErrorCode == "InsufficientInstanceCapacity"
            ? $"{asked}; AWS has not that much spare capacity of this type in the zone just now: run the rows on fewer instances with " +
              "DispatchOptions.MaxInstances, try again later, or another instance type or zone (AwsCloudOptions.SubnetId)"
            : $"{asked}, more than the account's limit: run the rows on fewer instances with DispatchOptions.MaxInstances, or ask for a higher quota in " +
              "Service Quotas (EC2, Running On-Demand instances)";
        return new CloudException(refusal.ErrorCode, attempting, refusal.Message, refusal.RequestId, hint, refusal);
    }

    private static string? Shortfall(int asked, int launched, List<(string Type, int Asked, int Granted, AmazonServiceException Refusal)> shortfalls)
    {
        if (shortfalls.Count == 0)
        {
            return null;
        }

        var types = shortfalls.GroupBy(s => s.Type, StringComparer.Ordinal).Select(g => $"{g.Key} {g.Sum(s => s.Granted)} of {g.Sum(s => s.Asked)}");
        var refusal = shortfalls[^1].Refusal;
        return $"EC2 launched {launched} of {asked} instances ({string.Join(", ", types)}): {refusal.ErrorCode}: {refusal.Message}";
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Launched {Instance} ({Type}) for job {Index}")]
    private static partial void LogLaunched(ILogger logger, string instance, string type, int index);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Spot capacity for {Count} {Type} refused ({Code}); launching them on demand")]
    private static partial void LogSpotRefused(ILogger logger, string type, int count, string code);

    [LoggerMessage(Level = LogLevel.Warning, Message = "EC2 refused {Count} {Type} for the account's limits ({Code}); asking for up to {Fewer}, as many as it allows")]
    private static partial void LogLimited(ILogger logger, string type, int count, string code, int fewer);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Image {Image} has no EBS root volume ({RootType}): its root volume cannot be encrypted")]
    private static partial void LogRootNotEncrypted(ILogger logger, string image, string rootType);

    [LoggerMessage(Level = LogLevel.Debug, Message = "The vCPUs of the batch's instance types could not be found: {Reason}")]
    private static partial void LogVcpusUnknown(ILogger logger, string reason);
}
