using System.Text.RegularExpressions;
using Amazon.Runtime;
using AwsRunner.Core.Cloud.Aws.Ec2;
using Microsoft.Extensions.Logging;

namespace AwsRunner.Core.Cloud.Aws;

/// <summary>
/// EC2 behind the <see cref="ICloud"/> port: rows that have no live instance are launched by <see cref="BatchLauncher"/>,
/// one paginated DescribeInstances serves each look at the batch, and instances are found by their tags.
/// </summary>
internal sealed partial class AwsCloud(
    IEc2Api ec2,
    AwsBoundary boundary,
    BatchKeyPair keyPair,
    BatchSecurityGroup securityGroup,
    SshSource sshSource,
    BatchLauncher launcher,
    AwsTuning tuning,
    TimeProvider time,
    ILogger<AwsCloud> logger) : ICloud, IDisposable
{
    private static readonly string[] NotTerminated = ["pending", "running", "shutting-down", "stopping", "stopped"];

    // The image checked before a create launches from it: its root device is where the launch encrypts the root volume.
    private Ec2Image? checkedImage;

    public async Task CheckImageAsync(string imageId, CancellationToken cancellationToken)
    {
        if (!ImageIdPattern().IsMatch(imageId))
        {
            throw new InvalidInputException("InvalidAMIID.Malformed", $"image \"{imageId}\": an AMI id looks like ami-0123456789abcdef0");
        }

        var image = await boundary.RunAsync($"check image {imageId}", token => FindImageAsync(imageId, token), cancellationToken).ConfigureAwait(false);
        if (image.State != "available")
        {
            throw new InvalidInputException("Image", $"image {imageId} ({image.Name}) is {image.State}, not available");
        }

        checkedImage = image;

        // The first step of a create: what the user must fix fails here, before the bucket or anything else exists.
        keyPair.Check();
        await sshSource.ResolveAsync(cancellationToken).ConfigureAwait(false);
    }

    public Task PrepareAccessAsync(string batch, CancellationToken cancellationToken) =>
        boundary.RunAsync($"prepare the key pair and security group of batch {batch}", async token =>
        {
            await keyPair.PrepareAsync(batch, hasLiveInstances: live => HasLiveInstancesAsync(batch, live), token).ConfigureAwait(false);
            await securityGroup.PrepareAsync(batch, token).ConfigureAwait(false);
        }, cancellationToken);

    public async Task<LaunchResult> LaunchAsync(LaunchRequest request, CancellationToken cancellationToken)
    {
        var batch = request.Batch;
        var described = await DescribeAsync(batch, cancellationToken).ConfigureAwait(false);
        var adopted = described
            .Where(n => n.State is InstanceState.Pending or InstanceState.Running)
            .GroupBy(n => n.JobIndex)
            .ToDictionary(g => g.Key, g => g.OrderBy(n => n.LaunchTime).ThenBy(n => n.InstanceId, StringComparer.Ordinal).First());
        var nodes = new Dictionary<int, NodeInstance>();
        foreach (var row in request.Rows.Where(r => adopted.ContainsKey(r.Index)))
        {
            LogAdopted(logger, adopted[row.Index].InstanceId, row.Index);
            nodes[row.Index] = adopted[row.Index];
        }

        var missing = request.Rows.Where(r => !adopted.ContainsKey(r.Index)).ToList();
        string? shortfall = null;
        if (missing.Count > 0)
        {
            var launched = await boundary.RunAsync($"launch {missing.Count} instances for batch {batch}",
                async token =>
                {
                    var image = checkedImage is { } known && known.ImageId == request.ImageId ? known : await FindImageAsync(request.ImageId, token).ConfigureAwait(false);
                    var groupId = await securityGroup.RequireAsync(batch, token).ConfigureAwait(false);
                    return await launcher.LaunchAsync(request, missing, described, groupId, image, token).ConfigureAwait(false);
                },
                cancellationToken).ConfigureAwait(false);
            foreach (var node in launched.Nodes)
            {
                nodes[node.JobIndex] = node;
            }

            shortfall = launched.Shortfall;
        }

        return new LaunchResult(request.Rows.Where(r => nodes.ContainsKey(r.Index)).Select(r => nodes[r.Index]).ToList(), shortfall);
    }

    public async Task<IReadOnlyDictionary<string, int>> GetVcpusAsync(IReadOnlyCollection<string> instanceTypes, CancellationToken cancellationToken)
    {
        var vcpus = await boundary.RunAsync($"look up the vCPUs of {string.Join(", ", instanceTypes)}",
            token => ec2.DescribeVcpusAsync(instanceTypes, token), cancellationToken).ConfigureAwait(false);
        var unknown = instanceTypes.Where(t => !vcpus.ContainsKey(t)).ToList();
        return unknown.Count == 0
            ? vcpus
            : throw boundary.InstanceTypeProblem($"EC2 does not know the instance types {string.Join(", ", unknown)}");
    }

    public Task<IReadOnlyDictionary<string, string?>> FindUnknownInstanceTypesAsync(IReadOnlyCollection<string> instanceTypes, CancellationToken cancellationToken) =>
        boundary.RunAsync($"look up the instance types {string.Join(", ", instanceTypes.Distinct())}", async token =>
        {
            IReadOnlyCollection<string> unknown;
            try
            {
                var offered = await ec2.DescribeVcpusAsync(instanceTypes, token).ConfigureAwait(false);
                unknown = instanceTypes.Where(t => !offered.ContainsKey(t)).ToList();
            }
            catch (AmazonServiceException e) when (e.ErrorCode == "InvalidInstanceType" && Ec2InstanceTypeNames.NamedIn(e.Message) is { Count: > 0 } named)
            {
                // EC2 refuses the whole call, naming the types it does not know.
                unknown = named;
            }

            return Ec2InstanceTypeNames.WithSuggestions(unknown);
        }, cancellationToken);

    public Task<IReadOnlyList<NodeInstance>> DescribeAsync(string batch, CancellationToken cancellationToken) =>
        boundary.RunAsync($"describe the instances of batch {batch}", async token =>
        {
            IReadOnlyList<NodeInstance> nodes = (await ec2.DescribeInstancesAsync([AwsTags.Filter(batch)], token).ConfigureAwait(false))
                .Select(i => NodeMapping.ToNode(batch, i))
                .OfType<NodeInstance>()
                .ToList();
            return nodes;
        }, cancellationToken);

    public async Task TerminateAsync(string batch, IReadOnlyCollection<string> instanceIds, CancellationToken cancellationToken)
    {
        var wanted = instanceIds.ToHashSet(StringComparer.Ordinal);
        // Only the batch's own instances, found by its tag: an id from elsewhere is never terminated.
        var live = (await DescribeAsync(batch, cancellationToken).ConfigureAwait(false))
            .Where(n => wanted.Contains(n.InstanceId) && n.State != InstanceState.Terminated)
            .Select(n => n.InstanceId)
            .ToList();
        if (live.Count == 0)
        {
            return;
        }

        await boundary.RunAsync($"terminate {live.Count} instances of batch {batch}",
            token => ec2.TerminateInstancesAsync(live, token), cancellationToken).ConfigureAwait(false);
        LogTerminating(logger, live.Count, batch);
        var remaining = await Polling.UntilAsync(
            async token => (await DescribeAsync(batch, token).ConfigureAwait(false))
                .Where(n => wanted.Contains(n.InstanceId) && n.State != InstanceState.Terminated)
                .ToList(),
            left => left.Count == 0,
            tuning.PollInterval,
            tuning.TerminateTimeout,
            time,
            cancellationToken).ConfigureAwait(false);
        if (remaining.Count > 0)
        {
            throw new CloudException("TerminateTimeout", $"terminate the instances of batch {batch}",
                $"{remaining.Count} were still not terminated after {tuning.TerminateTimeout}: {string.Join(", ", remaining.Select(n => n.InstanceId))}",
                hint: $"run 'awsrunner down {batch}' again in a few minutes");
        }
    }

    public Task RemoveAccessAsync(string batch, CancellationToken cancellationToken) =>
        boundary.RunAsync($"remove the security group and key pair of batch {batch}", async token =>
        {
            await securityGroup.RemoveAsync(batch, token).ConfigureAwait(false);
            await keyPair.RemoveAsync(batch, token).ConfigureAwait(false);
        }, cancellationToken);

    public Task<IReadOnlyList<BatchInstances>> ListBatchesAsync(CancellationToken cancellationToken) =>
        boundary.RunAsync("list the batches that have instances", async token =>
        {
            var instances = await ec2.DescribeInstancesAsync(
                [new Ec2Filter("tag-key", AwsTags.Batch), new Ec2Filter("instance-state-name", NotTerminated)], token).ConfigureAwait(false);
            var now = time.GetUtcNow();
            IReadOnlyList<BatchInstances> batches = instances
                .Where(i => i.State != "terminated" && i.Tags.ContainsKey(AwsTags.Batch))
                .GroupBy(i => i.Tags[AwsTags.Batch], StringComparer.Ordinal)
                .OrderBy(g => g.Key, StringComparer.Ordinal)
                .Select(g => new BatchInstances(
                    g.Key,
                    g.Count(),
                    g.Min(i => i.LaunchTime),
                    g.Sum(i => Math.Max(0, (now - i.LaunchTime).TotalHours))))
                .ToList();
            return batches;
        }, cancellationToken);

    // The runner's default power-off (sudo shutdown -h now) is right on EC2: shutdown behaviour is terminate.
    public int? NodesPerType => null;

    public IReadOnlyDictionary<string, string> NodeSettings(NodeInstance node) => new Dictionary<string, string>();

    public void Dispose() => (ec2 as IDisposable)?.Dispose();

    private async Task<Ec2Image> FindImageAsync(string imageId, CancellationToken cancellationToken) =>
        (await ec2.DescribeImagesAsync(imageId, cancellationToken).ConfigureAwait(false)).FirstOrDefault(i => i.ImageId == imageId)
            ?? throw boundary.ImageProblem("InvalidAMIID.NotFound", $"The image id '[{imageId}]' does not exist");

    private async Task<bool> HasLiveInstancesAsync(string batch, CancellationToken cancellationToken) =>
        (await DescribeAsync(batch, cancellationToken).ConfigureAwait(false)).Any(n => n.State != InstanceState.Terminated);

    [GeneratedRegex("^ami-([0-9a-f]{8}|[0-9a-f]{17})$")]
    private static partial Regex ImageIdPattern();

    [LoggerMessage(Level = LogLevel.Information, Message = "Adopting {Instance} for job {Index}")]
    private static partial void LogAdopted(ILogger logger, string instance, int index);

    [LoggerMessage(Level = LogLevel.Information, Message = "Terminating {Count} instances of batch {Batch}; waiting until they are gone")]
    private static partial void LogTerminating(ILogger logger, int count, string batch);
}
