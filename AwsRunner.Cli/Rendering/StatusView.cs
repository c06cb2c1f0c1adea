using System.Globalization;
using AwsRunner.Core.Cloud;
using AwsRunner.Core.Dispatch;
using AwsRunner.Core.Jobs;

namespace AwsRunner.Cli.Rendering;

/// <summary>How a batch's status is shown: a table, a counts line, a JSON document, an exit code.</summary>
internal static class StatusView
{
    /// <summary>Names the shape of <c>status --json</c> (docs/status-json.md); raised only when a field changes meaning or goes.</summary>
    public const string Schema = "awsrunner.status/1";

    /// <summary>Names the shape of <c>status --json</c> without NAME.</summary>
    public const string ListSchema = "awsrunner.batches/1";

    public static object From(BatchStatus status) => new
    {
        schema = Schema,
        name = status.Name,
        bucket = status.Bucket,
        cloud = status.Cloud,
        created_at = status.CreatedAt,
        read_at = status.ReadAt,
        finished = status.Finished,
        counts = status.Counts.ToDictionary(c => c.Key.ToName(), c => c.Value),
        jobs = status.Jobs.Select(j => new
        {
            index = j.Index,
            instance_type = j.InstanceType,
            instance_id = j.InstanceId,
            instance_state = j.Instance?.ToString().ToLowerInvariant(),
            state = j.State.ToName(),
            exit_code = j.ExitCode,
            started = j.Started,
            finished = j.Finished,
            last_heartbeat = j.LastHeartbeat,
            elapsed_seconds = j.Elapsed?.TotalSeconds is { } s ? Math.Round(s, 1) : (double?)null,
            progress = j.Progress,
            spot_refused = j.SpotRefusal,
            upload_error = j.UploadError,
            poweroff_error = j.PowerOffError,
            unreadable_status = j.UnreadableStatus,
            attempt = j.Attempt,
            earlier_attempts = j.EarlierAttempts.Select(a => new
            {
                attempt = a.Attempt,
                state = a.State.ToName(),
                exit_code = a.ExitCode,
                instance_id = a.InstanceId,
                spot = a.Spot,
            }),
        }),
        nodes = status.Nodes.Select(n => new
        {
            instance_id = n.InstanceId,
            instance_type = n.InstanceType,
            instance_state = n.Instance?.ToString().ToLowerInvariant(),
            state = NodeState(n),
            spot = n.Spot,
            running = n.Running,
            finished = n.Finished,
        }),
        overstaying = status.Overstaying.Select(n => new
        {
            instance_id = n.InstanceId,
            index = n.JobIndex,
            reason = n.Reason == OverstayReason.PastDeadline ? "past-deadline" : "running-after-result",
        }),
    };

    /// <summary>A node in one word: its instance's state, or how its install ended, or whether it works.</summary>
    public static string NodeState(NodeStatus node) => node.Instance switch
    {
        null => "gone",
        InstanceState.Running when node.Install is { } install && install != JobState.Ready => install.ToName(),
        InstanceState.Running => node.Working ? "working" : node.Install is null ? "installing" : "ready",
        { } state => state.ToString().ToLowerInvariant(),
    };

    public static string CountsLine(BatchStatus status) =>
        string.Join("  ", status.Counts.Select(c => $"{c.Key.ToName()} {c.Value}"));

    public static IEnumerable<string> Lines(BatchStatus status)
    {
        yield return $"Batch {status.Name} ({status.Cloud} cloud, bucket {status.Bucket}): {CountsLine(status)}";
        var rows = status.Jobs.Select(j => (IReadOnlyList<string>)
        [
            JobIndex.Format(j.Index),
            j.SpotRefusal is null ? j.InstanceType : $"{j.InstanceType} on demand",
            j.InstanceId ?? "-",
            j.State.ToName(),
            j.ExitCode?.ToString(CultureInfo.InvariantCulture) ?? "-",
            Formats.Elapsed(j.Elapsed),
            Formats.Ago(j.LastHeartbeat, status.ReadAt),
            j.Progress ?? "",
        ]);
        foreach (var line in Formats.Table(["JOB", "TYPE", "INSTANCE", "STATE", "EXIT", "ELAPSED", "HEARTBEAT", "PROGRESS"], rows))
        {
            yield return line;
        }

        // With fewer nodes than rows, each node's share: what it runs, how many it finished.
        if (status.Nodes.Count > 0 && status.Nodes.Count != status.Jobs.Count)
        {
            var nodes = status.Nodes.Select(n => (IReadOnlyList<string>)
            [
                n.InstanceId,
                n.InstanceType,
                NodeState(n),
                n.Running.Count == 0 ? "-" : string.Join(",", n.Running.Select(JobIndex.Format)),
                n.Finished.ToString(CultureInfo.InvariantCulture),
            ]);
            foreach (var line in Formats.Table(["NODE", "TYPE", "STATE", "RUNNING", "FINISHED"], nodes))
            {
                yield return line;
            }
        }

        if (OnDemandLine(status.Jobs.Select(j => (j.Index, j.SpotRefusal))) is { } onDemand)
        {
            yield return onDemand;
        }

        foreach (var job in status.Jobs.Where(j => j.EarlierAttempts.Count > 0))
        {
            yield return AttemptsLine(job);
        }

        foreach (var line in status.Jobs.SelectMany(ProblemLines))
        {
            yield return line;
        }

        foreach (var line in OverstayLines(status.Overstaying, index => status.Jobs.ElementAtOrDefault(index)?.State.ToName() ?? "finished"))
        {
            yield return line;
        }
    }

    /// <summary>What was terminated for outstaying the batch: one line for those past their deadline, one a job for the others.</summary>
    public static IEnumerable<string> OverstayLines(IReadOnlyList<OverstayingNode> nodes, Func<int, string> stateOf)
    {
        var late = nodes.Where(n => n.Reason == OverstayReason.PastDeadline).ToList();
        if (late.Count > 0)
        {
            yield return $"terminated {late.Count} {(late.Count == 1 ? "instance" : "instances")} past their deadline: {string.Join(", ", late.Select(n => n.InstanceId))}";
        }

        foreach (var node in nodes.Where(n => n.Reason == OverstayReason.RunningAfterResult))
        {
            yield return $"job {JobIndex.Format(node.JobIndex)} {stateOf(node.JobIndex)}, but its node is still running: terminating it ({node.InstanceId})";
        }
    }

    /// <summary>What a node said went wrong (an upload it retries, a power-off that failed), and a status.json that cannot be read.</summary>
    public static IEnumerable<string> ProblemLines(JobStatus job)
    {
        var index = JobIndex.Format(job.Index);
        if (job.UploadError is { } upload)
        {
            yield return $"{index}: upload failing, the node keeps its results and retries: {FirstLine(upload)}";
        }

        if (job.PowerOffError is { } powerOff)
        {
            yield return $"{index}: power-off failed (its instance is terminated 10 minutes after its result): {FirstLine(powerOff)}";
        }

        if (job.UnreadableStatus is { } unreadable)
        {
            yield return $"{index}: its status.json cannot be read ({unreadable}); the job is not run again, so that nothing overwrites its result";
        }
    }

    /// <summary>A retried job's attempts: <c>0007: attempt 2; attempt 1 preempted</c>.</summary>
    public static string AttemptsLine(JobStatus job) =>
        $"{JobIndex.Format(job.Index)}: attempt {job.Attempt}; " + string.Join("; ", job.EarlierAttempts.Select(a =>
            $"attempt {a.Attempt} {a.State.ToName()}" + (a.State == JobState.Failed && a.ExitCode is { } code ? $" (exit {code})" : "")));

    private static string FirstLine(string text) => text.Split('\n', 2)[0].Trim();

    /// <summary>Which jobs run on demand because spot was refused, and why; null when none does.</summary>
    public static string? OnDemandLine(IEnumerable<(int Index, string? SpotRefusal)> jobs)
    {
        var refused = jobs.Where(j => j.SpotRefusal is not null).ToList();
        return refused.Count == 0
            ? null
            : $"{refused.Count} {(refused.Count == 1 ? "job runs" : "jobs run")} on demand, spot refused " +
              $"({string.Join(", ", refused.Select(j => j.SpotRefusal).Distinct(StringComparer.Ordinal))}): {string.Join(", ", refused.Select(j => JobIndex.Format(j.Index)))}";
    }

    /// <summary>The batches' table; with a REGION column when they were looked for in several regions.</summary>
    public static IEnumerable<string> ListLines(IReadOnlyList<(BatchSummary Batch, string? Region)> batches)
    {
        var regions = batches.Any(b => b.Region is not null);
        var rows = batches.Select(b => (IReadOnlyList<string>)
        [
            b.Batch.Name,
            b.Batch.Cloud,
            .. regions ? [b.Region ?? "-"] : Array.Empty<string>(),
            b.Batch.LiveInstances.ToString(CultureInfo.InvariantCulture),
            b.Batch.InstanceHours.ToString("0.00", CultureInfo.InvariantCulture),
            $"{b.Batch.Finished}/{b.Batch.Jobs?.ToString(CultureInfo.InvariantCulture) ?? "?"}",
        ]);
        return Formats.Table(["NAME", "CLOUD", .. regions ? ["REGION"] : Array.Empty<string>(), "LIVE NODES", "INSTANCE-HOURS", "RESULTS"], rows);
    }

    /// <summary>0 when every job succeeded, 3 when the cloud or a node failed one, else 1 when a job failed (or ran past its time).</summary>
    public static int ExitCode(BatchStatus status) =>
        status.Jobs.Any(j => j.State.Problem() == JobProblem.Cloud) ? ExitCodes.CloudError
        : status.Jobs.Any(j => j.State.Problem() == JobProblem.Job) ? ExitCodes.JobFailed
        : ExitCodes.Ok;
}
