using AwsRunner.Core.Cloud;

namespace AwsRunner.Core.Dispatch;

/// <summary>What a fetch downloads, job by job: the finished jobs' objects, the largest jobs first.</summary>
internal static class FetchPlan
{
    // The archive first: unpacking it may bring the other two.
    private static readonly string[] JobObjects = [ResultKeys.Results, ResultKeys.Status, ResultKeys.Log];

    public static IReadOnlyList<IReadOnlyList<StoredObject>> Of(string batch, BatchManifest manifest, IEnumerable<StoredObject> listing)
    {
        var objects = listing
            .Select(o => ResultKeys.TryParseJobKey(batch, o.Key, out var job, out var file) ? (job, file, o) : default)
            .Where(x => x.o is not null)
            .ToLookup(x => x.job, x => (x.file, x.o));

        // Only finished jobs: the node writes status.json last, so its presence means the rest is complete. Largest
        // first: a large result started last would be downloaded alone at the end, every other download long done.
        return manifest.Rows
            .Select(r => objects[r.Index].ToDictionary(x => x.file, x => x.o, StringComparer.Ordinal))
            .Where(files => files.ContainsKey(ResultKeys.Status))
            .Select(files => (IReadOnlyList<StoredObject>)JobObjects.Where(files.ContainsKey).Select(file => files[file]).ToList())
            .OrderByDescending(job => job.Sum(o => o.Size))
            .ToList();
    }
}
