using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using AwsRunner.Core.Cloud.Aws;
using Microsoft.Extensions.Logging;

namespace AwsRunner.Core.Cloud.Local;

/// <summary>
/// The embedded cloud: each node is a folder with a home of its own, its processes run on this machine.
/// Powering a node off ends its processes and marks it terminated, as on EC2.
/// </summary>
internal sealed partial class LocalCloud(LocalPaths paths, int maxParallel, TimeProvider time, ILogger<LocalCloud> logger) : ICloud
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    // The names it shares with the runner (the secrets file) come from the node contract, as the runner's do.
    private static readonly Lazy<string> PowerOff = new(() => Node.NodeContract.Declare(EmbeddedText.Read("AwsRunner.Core.Cloud.Local.local-poweroff.sh")));

    public Task CheckImageAsync(string imageId, CancellationToken cancellationToken) =>
        string.IsNullOrWhiteSpace(imageId)
            ? throw new InvalidInputException("Image", "the image id is empty")
            : Task.CompletedTask;

    public Task PrepareAccessAsync(string batch, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(paths.Batch(batch));
        return Task.CompletedTask;
    }

    public async Task<LaunchResult> LaunchAsync(LaunchRequest request, CancellationToken cancellationToken)
    {
        var existing = (await DescribeAsync(request.Batch, cancellationToken).ConfigureAwait(false))
            .Where(n => n.State == InstanceState.Running)
            .ToDictionary(n => n.JobIndex);
        var nodes = new List<NodeInstance>();
        foreach (var row in request.Rows)
        {
            if (existing.TryGetValue(row.Index, out var adopted))
            {
                LogAdopted(logger, adopted.InstanceId, row.Index);
                nodes.Add(adopted);
                continue;
            }

            var node = paths.Node(request.Batch, row.Index);
            if (Directory.Exists(node))
            {
                Directory.Delete(node, recursive: true);
            }

            Directory.CreateDirectory(LocalPaths.NodeHome(node));
            var record = new LocalInstanceRecord(
                "local-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8)),
                request.Batch, row.Index, row.InstanceType, request.ImageId, time.GetUtcNow());
            await File.WriteAllTextAsync(LocalPaths.PowerOffScript(node), PowerOff.Value, cancellationToken).ConfigureAwait(false);
            await File.WriteAllTextAsync(LocalPaths.InstanceFile(node), JsonSerializer.Serialize(record, Json), cancellationToken).ConfigureAwait(false);
            await File.WriteAllTextAsync(LocalPaths.StateFile(node), "running\n", cancellationToken).ConfigureAwait(false);
            LogLaunched(logger, record.Id, row.InstanceType, row.Index, node);
            nodes.Add(ToInstance(record, node, InstanceState.Running));
        }

        return new LaunchResult(nodes);
    }

    // Every local node runs on this machine, whatever its instance type says.
    public Task<IReadOnlyDictionary<string, int>> GetVcpusAsync(IReadOnlyCollection<string> instanceTypes, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyDictionary<string, int>>(instanceTypes.Distinct(StringComparer.Ordinal).ToDictionary(t => t, _ => Environment.ProcessorCount, StringComparer.Ordinal));

    // The local cloud takes EC2's names, so that a job file that runs here runs on AWS too, typos and all refused.
    public Task<IReadOnlyDictionary<string, string?>> FindUnknownInstanceTypesAsync(IReadOnlyCollection<string> instanceTypes, CancellationToken cancellationToken) =>
        Task.FromResult(Ec2InstanceTypeNames.WithSuggestions(instanceTypes.Where(t => !Ec2InstanceTypeNames.Names.Contains(t))));

    public async Task<IReadOnlyList<NodeInstance>> DescribeAsync(string batch, CancellationToken cancellationToken)
    {
        var folder = paths.Batch(batch);
        if (!Directory.Exists(folder))
        {
            return [];
        }

        var nodes = new List<NodeInstance>();
        foreach (var node in Directory.EnumerateDirectories(folder).Order(StringComparer.Ordinal))
        {
            if (await ReadAsync(node, cancellationToken).ConfigureAwait(false) is { } instance)
            {
                nodes.Add(instance);
            }
        }

        return nodes;
    }

    public async Task TerminateAsync(string batch, IReadOnlyCollection<string> instanceIds, CancellationToken cancellationToken)
    {
        var ids = instanceIds.ToHashSet(StringComparer.Ordinal);
        foreach (var node in await DescribeAsync(batch, cancellationToken).ConfigureAwait(false))
        {
            if (!ids.Contains(node.InstanceId) || node.State == InstanceState.Terminated)
            {
                continue;
            }

            var folder = LocalPaths.NodeOfHome(node.Address!);
            var result = await ChildProcess.RunAsync(
                new ProcessStartInfo("bash", [LocalPaths.PowerOffScript(folder)]), null, cancellationToken).ConfigureAwait(false);
            if (result.ExitCode != 0)
            {
                throw new CloudException("PowerOffFailed", $"terminate local node {node.InstanceId}", result.Error.Trim(),
                    hint: $"end its processes by hand; its folder is {folder}");
            }

            LogTerminated(logger, node.InstanceId, node.JobIndex);
        }
    }

    public async Task RemoveAccessAsync(string batch, CancellationToken cancellationToken)
    {
        var live = (await DescribeAsync(batch, cancellationToken).ConfigureAwait(false))
            .Where(n => n.State != InstanceState.Terminated)
            .ToList();
        if (live.Count > 0)
        {
            throw new CloudException("DependencyViolation", $"remove local batch {batch}", $"{live.Count} nodes still run");
        }

        var folder = paths.Batch(batch);
        if (Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    public async Task<IReadOnlyList<BatchInstances>> ListBatchesAsync(CancellationToken cancellationToken)
    {
        if (!Directory.Exists(paths.Nodes))
        {
            return [];
        }

        var now = time.GetUtcNow();
        var batches = new List<BatchInstances>();
        foreach (var folder in Directory.EnumerateDirectories(paths.Nodes).Order(StringComparer.Ordinal))
        {
            var live = (await DescribeAsync(Path.GetFileName(folder), cancellationToken).ConfigureAwait(false))
                .Where(n => n.State != InstanceState.Terminated)
                .ToList();
            if (live.Count > 0)
            {
                batches.Add(new BatchInstances(
                    Path.GetFileName(folder),
                    live.Count,
                    live.Min(n => n.LaunchTime),
                    live.Sum(n => (now - n.LaunchTime).TotalHours)));
            }
        }

        return batches;
    }

    public int? NodesPerType => maxParallel;

    public IReadOnlyDictionary<string, string> NodeSettings(NodeInstance node) => new Dictionary<string, string>
    {
        ["AWSRUNNER_POWEROFF"] = "bash " + Node.ShellQuote.Quote(LocalPaths.PowerOffScript(LocalPaths.NodeOfHome(node.Address!))),
    };

    private static async Task<NodeInstance?> ReadAsync(string node, CancellationToken cancellationToken)
    {
        LocalInstanceRecord? record;
        string state;
        try
        {
            record = JsonSerializer.Deserialize<LocalInstanceRecord>(
                await File.ReadAllTextAsync(LocalPaths.InstanceFile(node), cancellationToken).ConfigureAwait(false), Json);
            state = (await File.ReadAllTextAsync(LocalPaths.StateFile(node), cancellationToken).ConfigureAwait(false)).Trim();
        }
        catch (FileNotFoundException)
        {
            return null;
        }

        return record is null
            ? null
            : ToInstance(record, node, state == "terminated" ? InstanceState.Terminated : InstanceState.Running);
    }

    private static NodeInstance ToInstance(LocalInstanceRecord record, string node, InstanceState state) =>
        new(record.Batch, record.Index, record.Id, record.InstanceType, state, LocalPaths.NodeHome(node), record.Launched);

    [LoggerMessage(Level = LogLevel.Information, Message = "Adopting {Instance} for job {Index}")]
    private static partial void LogAdopted(ILogger logger, string instance, int index);

    [LoggerMessage(Level = LogLevel.Information, Message = "Launched {Instance} ({Type}) for job {Index} in {Node}")]
    private static partial void LogLaunched(ILogger logger, string instance, string type, int index, string node);

    [LoggerMessage(Level = LogLevel.Information, Message = "Terminated {Instance} (job {Index})")]
    private static partial void LogTerminated(ILogger logger, string instance, int index);
}
