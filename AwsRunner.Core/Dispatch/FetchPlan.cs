using AwsRunner.Core.Cloud;
using AwsRunner.Core.Jobs;

namespace AwsRunner.Core.Dispatch;

/// <summary>
/// What a fetch downloads, job by job: the finished jobs' objects, the largest jobs first, and where each goes. A
/// job's current attempt (the highest its queue's claims say) goes to <c>OUT/0007/</c>; a retried job's earlier attempts to <c>OUT/0007/attempt-K/</c>.
/// </summary>
internal static class FetchPlan
{
    // status.json first: it says what the archive must be (its size, SHA-256, and the parts it went up in, if any).
    private static readonly string[] JobObjects = [ResultKeys.Status, ResultKeys.Results, ResultKeys.Log];

    public static IReadOnlyList<IReadOnlyList<StoredObject>> Of(string batch, IReadOnlyDictionary<int, int> current, IEnumerable<StoredObject> listing)
    {
        var objects = listing
            .Select(o => ResultKeys.TryParseJobKey(batch, o.Key, out var job, out var file) ? (job, file, o) : default)
            .Where(x => x.o is not null)
            .ToLookup(x => x.job, x => (x.file, x.o));

        // Only finished jobs: the node writes status.json last, so its presence in the current attempt means the rest
        // is complete. Largest first: a large result started last would be downloaded alone at the end, every other
        // download long done.
        return current
            .Select(r => (Current: r.Value, Job: objects[r.Key].ToList()))
            .Where(r => AttemptObjects(r.Job, r.Current).ContainsKey(ResultKeys.Status))
            .Select(r => (IReadOnlyList<StoredObject>)Enumerable.Range(1, r.Current)
                .Select(attempt => AttemptObjects(r.Job, attempt))
                .Reverse()
                .SelectMany(Ordered)
                .ToList())
            .OrderByDescending(job => job.Sum(o => o.Size))
            .ToList();
    }

    /// <summary>An attempt's objects in the order fetch takes them.</summary>
    private static IEnumerable<StoredObject> Ordered(Dictionary<string, StoredObject> files) =>
        JobObjects.SelectMany(name => files.TryGetValue(name, out var stored) ? [stored] : Array.Empty<StoredObject>());

    /// <summary>
    /// Where an object of the plan goes: its job, its folder within the output folder (<c>0007</c>, or
    /// <c>0007/attempt-1</c> for an earlier attempt) and its file name.
    /// </summary>
    public static (int Job, string Folder, string File) Place(string batch, IReadOnlyDictionary<int, int> current, StoredObject stored)
    {
        // The plan holds only keys that parsed.
        _ = ResultKeys.TryParseJobKey(batch, stored.Key, out var job, out var name);
        _ = ResultKeys.TryParseAttempt(name, out var attempt, out var file);
        var folder = JobIndex.Format(job);
        return (job, attempt == current.GetValueOrDefault(job, 1) ? folder : Path.Combine(folder, ResultKeys.AttemptName(attempt)), file);
    }

    /// <summary>The objects of one attempt of a job, by file name (<c>status.json</c>, ...).</summary>
    private static Dictionary<string, StoredObject> AttemptObjects(IEnumerable<(string File, StoredObject Object)> job, int attempt) =>
        job.Select(x => ResultKeys.TryParseAttempt(x.File, out var a, out var file) && a == attempt ? (file, x.Object) : default)
            .Where(x => x.Object is not null)
            .ToDictionary(x => x.file, x => x.Object, StringComparer.Ordinal);
}
