using AwsRunner.Core.Cloud;
using AwsRunner.Core.Dispatch;
using AwsRunner.Core.Jobs;
using AwsRunner.Core.Ledger;

namespace AwsRunner.Tests.Support;

/// <summary>Ledgers for unit tests: a batch made from job-file text, stored where the code under test reads it.</summary>
internal static class TestLedgers
{
    public const string Bundle = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    public static BatchPlan Plan(string name, string jobs, DispatchOptions? options = null) => new()
    {
        Name = name,
        ImageId = "ami-12345678",
        Bucket = name,
        Cloud = "aws",
        ResultsLocation = $"s3://{name}/{name}/",
        Jobs = JobFile.Parse(new StringReader(jobs), "jobs.csv"),
        CodeDirectory = "/code",
        Options = options ?? new DispatchOptions { ImageId = "ami-12345678", Name = name, JobFile = "jobs.csv" },
    };

    public static BatchSettings Settings(double maxHours = 24, int heartbeatSeconds = 60, string bundle = Bundle) =>
        new() { MaxHours = maxHours, HeartbeatSeconds = heartbeatSeconds, BundleSha256 = bundle };

    /// <summary>A new batch of the job-file text, every row before its first attempt.</summary>
    public static LedgerDocument Of(string name, string jobs, DateTimeOffset? createdAt = null, BatchSettings? settings = null) =>
        LedgerDocument.Create(Plan(name, jobs), "aws", settings ?? Settings(), createdAt ?? DateTimeOffset.UnixEpoch);

    /// <summary><paramref name="rows"/> rows of c5.large running <c>true</c>.</summary>
    public static LedgerDocument Rows(string name, int rows, DateTimeOffset? createdAt = null, BatchSettings? settings = null) =>
        Of(name, "instance_type,command\n" + string.Concat(Enumerable.Repeat("c5.large,true\n", rows)), createdAt, settings);

    /// <summary>The batch with its queue published: each row <paramref name="attempts"/> attempts, one slot a node.</summary>
    public static LedgerDocument Published(this LedgerDocument document, int attempts = 3, IReadOnlyList<int>? retryOnExit = null) =>
        document.Published(
            new LedgerQueue
            {
                Run = document.Run,
                PublishedAt = document.CreatedAt,
                Slots = document.Rows.Select(r => r.InstanceType).Distinct().ToDictionary(t => t, _ => 1),
                RetryOnExit = retryOnExit ?? [],
            },
            attempts,
            new HashSet<int>());

    /// <summary>The batch with a seat a row, each filled by node <c>i-N</c> (installed, working) launched at <paramref name="launched"/>.</summary>
    public static LedgerDocument WithNodes(this LedgerDocument document, DateTimeOffset launched, bool spot = false)
    {
        var seated = document.Seated(document.Rows.Select(r => (r.Index, r.InstanceType)).ToList());
        return seated with
        {
            Seats = seated.Seats.Select(s => s with { Node = $"i-{s.Row}" }).ToList(),
            Nodes = seated.Seats.Select(s => Node($"i-{s.Row}", s.Row, launched, spot: spot)).ToList(),
        };
    }

    public static LedgerNode Node(string id, int seat, DateTimeOffset launched, string install = "ready", bool spot = false) =>
        new() { Id = id, InstanceType = "c5.large", Seat = seat, LaunchedAt = launched, Install = install, Spot = spot, WorkingAt = launched };

    /// <summary>Writes the ledger to the bucket named as the batch, and returns it as its owner reads it.</summary>
    public static async Task<BatchLedger> StoreAsync(IResultStore store, LedgerDocument document)
    {
        await store.PutAsync(document.Name, ResultKeys.Ledger(document.Name), document.ToBytes(), CancellationToken.None);
        return await BatchLedger.RequireAsync(store, document.Name, document.Name, CancellationToken.None);
    }

    /// <summary>A node's claim of a row's attempt, as the runner creates it.</summary>
    public static void Claim(this MemoryResultStore store, string batch, int row, int attempt, string node) =>
        store.Put(batch, ResultKeys.QueueClaim(batch, row, attempt), $"node={node} slot=1");

    /// <summary>An attempt's heartbeat, as the runner writes it (the store stamps it with its clock).</summary>
    public static void Beat(this MemoryResultStore store, string batch, int row, int attempt, string node, string state, DateTimeOffset started, string progress = "") =>
        store.Put(batch, ResultKeys.QueueHeartbeat(batch, row, attempt),
            $$"""{"time":"{{started:O}}","state":"{{state}}","index":{{row}},"attempt":{{attempt}},"node":"{{node}}","started":"{{started:O}}","progress":"{{progress}}"}""");

    /// <summary>An attempt's status.json, as the runner uploads it.</summary>
    public static void Status(this MemoryResultStore store, string batch, int row, int attempt, string node, string json) =>
        store.Put(batch, ResultKeys.Job(batch, row, attempt) + ResultKeys.Status, $$"""{"node":"{{node}}","attempt":{{attempt}},""" + json[1..]);
}
