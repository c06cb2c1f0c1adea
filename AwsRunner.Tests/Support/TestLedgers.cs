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
        Jobs = JobFile.Parse(new StringReader(jobs), "jobs.csv"),
        CodeDirectory = "/code",
        Options = options ?? new DispatchOptions { ImageId = "ami-12345678", Name = name, JobFile = "jobs.csv" },
    };

    public static BatchSettings Settings(double maxHours = 24, int heartbeatSeconds = 60, string bundle = Bundle) =>
        new() { MaxHours = maxHours, HeartbeatSeconds = heartbeatSeconds, BundleSha256 = bundle };

    /// <summary>A new batch of the job-file text, every row on its first attempt.</summary>
    public static LedgerDocument Of(string name, string jobs, DateTimeOffset? createdAt = null, BatchSettings? settings = null) =>
        LedgerDocument.Create(Plan(name, jobs), "aws", settings ?? Settings(), createdAt ?? DateTimeOffset.UnixEpoch);

    /// <summary><paramref name="rows"/> rows of c5.large running <c>true</c>.</summary>
    public static LedgerDocument Rows(string name, int rows, DateTimeOffset? createdAt = null, BatchSettings? settings = null) =>
        Of(name, "instance_type,command\n" + string.Concat(Enumerable.Repeat("c5.large,true\n", rows)), createdAt, settings);

    /// <summary>Writes the ledger to the bucket named as the batch, and returns it as its owner reads it.</summary>
    public static async Task<BatchLedger> StoreAsync(IResultStore store, LedgerDocument document)
    {
        await store.PutAsync(document.Name, ResultKeys.Ledger(document.Name), document.ToBytes(), CancellationToken.None);
        return await BatchLedger.RequireAsync(store, document.Name, document.Name, CancellationToken.None);
    }

    /// <summary>The document with row <paramref name="index"/>'s attempts replaced.</summary>
    public static LedgerDocument WithAttempts(this LedgerDocument document, int index, params LedgerAttempt[] attempts) =>
        document with { Rows = document.Rows.Select(r => r.Index == index ? r with { Attempts = attempts } : r).ToList() };

    /// <summary>The document with these nodes known.</summary>
    public static LedgerDocument WithNodes(this LedgerDocument document, params LedgerNode[] nodes) => document with { Nodes = nodes };

    public static LedgerNode Node(string id, DateTimeOffset launched, string install = "ready", bool spot = false) =>
        new() { Id = id, InstanceType = "c5.large", LaunchedAt = launched, Install = install, Spot = spot };
}
