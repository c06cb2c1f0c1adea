using System.Collections.Concurrent;

namespace AwsRunner.Bench.Infrastructure;

/// <summary>
/// The bytes PUT to S3 through the proxy, by who sent them: the code bundle, the rest of what awsrunner itself uploads
/// (the ledger, the queue's shards, its markers), and what the nodes upload with curl (claims, heartbeats, results).
/// A body's size is its declared one (the decoded size of an aws-chunked body): the object's bytes, not the framing.
/// </summary>
internal sealed class UploadTally
{
    public const string Bundle = "bundle";
    public const string Awsrunner = "awsrunner";
    public const string Nodes = "nodes";

    private readonly ConcurrentDictionary<string, Counter> counters = new(StringComparer.Ordinal);

    public void Count(string who, long bytes)
    {
        var counter = counters.GetOrAdd(who, _ => new Counter());
        Interlocked.Increment(ref counter.Requests);
        Interlocked.Add(ref counter.Bytes, bytes);
    }

    /// <summary>Requests and bytes sent by <paramref name="who"/> since the last clear.</summary>
    public (long Requests, long Bytes) Of(string who) =>
        counters.TryGetValue(who, out var c) ? (Interlocked.Read(ref c.Requests), Interlocked.Read(ref c.Bytes)) : (0, 0);

    public void Clear() => counters.Clear();

    /// <summary>Who sent an S3 PUT: a node's curl, or awsrunner (the bundle told by its key, path-style or not).</summary>
    public static string Sender(string path, string? userAgent) =>
        userAgent?.StartsWith("curl/", StringComparison.Ordinal) == true ? Nodes
        : path.Contains("/_awsrunner/bundles/", StringComparison.Ordinal) ? Bundle
        : Awsrunner;

    private sealed class Counter
    {
        public long Requests;
        public long Bytes;
    }
}
