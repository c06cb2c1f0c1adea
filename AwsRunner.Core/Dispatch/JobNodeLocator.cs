using AwsRunner.Core.Cloud;

namespace AwsRunner.Core.Dispatch;

/// <summary>Finds the running node of one job of a batch, or says precisely why there is none.</summary>
internal sealed class JobNodeLocator(CloudConnection connection)
{
    /// <summary>The code of the failure when the job's node was terminated or stopped, or it has none any more.</summary>
    public const string NodeGone = "NodeGone";

    public async Task<NodeInstance> FindAsync(string name, string bucket, int index, CancellationToken cancellationToken)
    {
        var nodes = await connection.Cloud.DescribeAsync(name, cancellationToken).ConfigureAwait(false);
        var ofJob = nodes.Where(n => n.JobIndex == index).OrderByDescending(n => n.LaunchTime).ToList();
        if (ofJob.FirstOrDefault(n => n.State == InstanceState.Running) is { } running)
        {
            return running;
        }

        var jobs = await JobCountAsync(name, bucket, nodes, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidInputException("Batch", $"no batch \"{name}\" on the {connection.Kind} cloud (was it created? is --bucket right?)");
        if (index < 0 || index >= jobs)
        {
            throw new InvalidInputException("Index", $"batch {name} has jobs 0 to {jobs - 1}; there is no job {index}");
        }

        return ofJob.FirstOrDefault(n => n.State == InstanceState.Pending) is { } pending
            ? throw new CloudException("NodeStarting", $"reach job {index} of batch {name}",
                $"its node {pending.InstanceId} is still starting", hint: "try again in a minute")
            : throw new CloudException(NodeGone, $"reach job {index} of batch {name}",
                ofJob.Count == 0 ? "no node runs it any more" : $"its node {ofJob[0].InstanceId} is {ofJob[0].State.ToString().ToLowerInvariant()}",
                hint: $"a finished job's log and results are in the bucket: awsrunner fetch {name} ./output");
    }

    private async Task<int?> JobCountAsync(string name, string bucket, IReadOnlyList<NodeInstance> nodes, CancellationToken cancellationToken)
    {
        var manifest = await connection.Results.BucketExistsAsync(bucket, cancellationToken).ConfigureAwait(false)
            ? await new ManifestStore(connection.Results).LoadAsync(bucket, name, cancellationToken).ConfigureAwait(false)
            : null;
        return manifest?.Rows.Count ?? (nodes.Count > 0 ? nodes.Max(n => n.JobIndex) + 1 : null);
    }
}
