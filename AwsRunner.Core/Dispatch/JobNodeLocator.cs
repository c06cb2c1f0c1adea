using AwsRunner.Core.Cloud;
using AwsRunner.Core.Ledger;

namespace AwsRunner.Core.Dispatch;

/// <summary>Finds the running node of one job of a batch, or says precisely why there is none.</summary>
internal sealed class JobNodeLocator(CloudConnection connection)
{
    /// <summary>The code of the failure when the job's node was terminated or stopped, or it has none any more.</summary>
    public const string NodeGone = "NodeGone";

    /// <summary>
    /// The node of the job's current attempt, as the cloud describes it now; before a node took the job, the node of its
    /// seat (with a node a row, the one launched for it: so that files can be put there before the job starts).
    /// </summary>
    public async Task<NodeInstance> FindAsync(BatchLedger ledger, int index, CancellationToken cancellationToken)
    {
        var name = ledger.Name;
        if (index < 0 || index >= ledger.Document.Rows.Count)
        {
            throw new InvalidInputException("Index", $"batch {name} has jobs 0 to {ledger.Document.Rows.Count - 1}; there is no job {index}");
        }

        var (_, taken) = await CurrentAttempts.OfRowAsync(connection, ledger, index, cancellationToken).ConfigureAwait(false);
        var current = taken ?? ledger.Document.Seats.FirstOrDefault(s => s.Row == index)?.Node;
        var nodes = await connection.Cloud.DescribeAsync(name, cancellationToken).ConfigureAwait(false);
        var ofJob = nodes.Where(n => n.InstanceId == current).ToList();
        if (ofJob.FirstOrDefault(n => n.State == InstanceState.Running) is { } running)
        {
            return running;
        }

        if (current is null)
        {
            throw new CloudException("NodeStarting", $"reach job {index} of batch {name}", "no node has taken it yet", hint: "try again once it runs (awsrunner status " + name + ")");
        }

        return ofJob.FirstOrDefault(n => n.State == InstanceState.Pending) is { } pending
            ? throw new CloudException("NodeStarting", $"reach job {index} of batch {name}",
                $"its node {pending.InstanceId} is still starting", hint: "try again in a minute")
            : throw new CloudException(NodeGone, $"reach job {index} of batch {name}",
                ofJob.Count == 0 ? "no node runs it any more" : $"its node {ofJob[0].InstanceId} is {ofJob[0].State.ToString().ToLowerInvariant()}",
                hint: $"a finished job's log and results are in the bucket: awsrunner fetch {name} ./output");
    }
}
