using AwsRunner.Core.Dispatch;

namespace AwsRunner.Cli.Rendering;

/// <summary>
/// What the live view shows, kept apart from drawing it: every job's state and since when, the counts, and the
/// jobs that have been longest in a state that is not final.
/// </summary>
internal sealed class BatchBoard(string name, TimeProvider time)
{
    private readonly Lock gate = new();
    private readonly Dictionary<int, (JobState State, DateTimeOffset Since)> jobs = [];
    private readonly DateTimeOffset started = time.GetUtcNow();

    public string Name => name;

    public string Phase { get; set; } = "creating";

    public TimeSpan Elapsed => time.GetUtcNow() - started;

    public void Apply(NodeProgress progress) => Set(progress.Index, progress.State);

    public void Apply(BatchStatus status)
    {
        foreach (var job in status.Jobs)
        {
            Set(job.Index, job.State);
        }
    }

    public IReadOnlyList<(JobState State, int Count)> Counts()
    {
        lock (gate)
        {
            return jobs.Values.GroupBy(j => j.State).OrderBy(g => g.Key).Select(g => (g.Key, g.Count())).ToList();
        }
    }

    public IReadOnlyList<(int Index, JobState State, TimeSpan For)> Slowest(int count)
    {
        var now = time.GetUtcNow();
        lock (gate)
        {
            return jobs.Where(j => !j.Value.State.IsFinal())
                .OrderBy(j => j.Value.Since).ThenBy(j => j.Key)
                .Take(count)
                .Select(j => (j.Key, j.Value.State, now - j.Value.Since))
                .ToList();
        }
    }

    private void Set(int index, JobState state)
    {
        lock (gate)
        {
            if (!jobs.TryGetValue(index, out var known) || known.State != state)
            {
                jobs[index] = (state, time.GetUtcNow());
            }
        }
    }
}
