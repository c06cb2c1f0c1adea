using System.Diagnostics;
using System.Formats.Tar;
using System.Text;
using AwsRunner.Core.Cloud;
using AwsRunner.Core.Queue;
using AwsRunner.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using NUnit.Framework;

namespace AwsRunner.Tests.Queue;

[TestFixture]
public sealed class QueueWriterTests
{
    private const string Batch = "sweep";
    private readonly FakeTimeProvider time = new(new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero));

    private static List<QueueRow> Rows(int count, Func<int, string> type, int firstAttempt = 1, int attempts = 3) =>
        Enumerable.Range(0, count).Select(i => new QueueRow(
            i, type(i), $"python3 train.py --seed {i} --tag 'a, \"b\"' ; echo é",
            new Dictionary<string, string> { ["seed"] = $"{i}", ["note"] = "two\nlines 'quoted'" },
            Enumerable.Range(firstAttempt, attempts).ToList())).ToList();

    private async Task<(MemoryResultStore Store, PublishedQueue Queue)> PublishAsync(IReadOnlyList<QueueRow> rows)
    {
        var store = new MemoryResultStore(time);
        var queue = await new QueueWriter(store, time, NullLogger<QueueWriter>.Instance)
            .PublishAsync(Batch, Batch, rows, TimeSpan.FromHours(30), CancellationToken.None);
        return (store, queue);
    }

    private static async Task<ShardFiles> ShardAsync(MemoryResultStore store, string type, int shard) =>
        ShardFiles.Read((await store.GetAsync(Batch, $"{Batch}/queue/{type}/shard-{shard:D5}.tar.gz", CancellationToken.None))!);

    [Test]
    public async Task Publish_ShardsEachTypesRowsInRowOrder_AThousandAShard()
    {
        var rows = Rows(2500, i => i % 5 == 0 ? "r5.large" : "c5.large");

        var (store, queue) = await PublishAsync(rows);

        var keys = (await store.ListAsync(Batch, $"{Batch}/queue/", CancellationToken.None)).Select(o => o.Key);
        var c5 = await ShardAsync(store, "c5.large", 1);
        Assert.Multiple(() =>
        {
            Assert.That(keys, Is.EqualTo(new[]
            {
                "sweep/queue/c5.large/shard-00000.tar.gz", "sweep/queue/c5.large/shard-00001.tar.gz",
                "sweep/queue/r5.large/shard-00000.tar.gz",
            }), "2,000 rows of c5.large in two shards, 500 of r5.large in one");
            Assert.That(queue.Shards, Is.EqualTo(3));
            Assert.That(c5.Names.SkipLast(1),
                Is.EqualTo(rows.Where(r => r.InstanceType == "c5.large").Skip(1000).Select(r => $"{r.Index:D4}")), "the second thousand, in row order");
            Assert.That(c5.Names.Last(), Is.EqualTo("index"));
            Assert.That(c5.Text("index"), Is.EqualTo(string.Concat(rows.Where(r => r.InstanceType == "c5.large").Skip(1000).Select(r => $"{r.Index:D4} 1 3\n"))),
                "a line a row: its file, its lowest and highest attempt");
            Assert.That(queue.Types["c5.large"].Rows, Is.EqualTo(rows.Where(r => r.InstanceType == "c5.large").Select(r => r.Index)));
            Assert.That(queue.Types["c5.large"].Shards.Select(u => u.AbsolutePath),
                Is.EqualTo(new[] { "/sweep/queue/c5.large/shard-00000.tar.gz", "/sweep/queue/c5.large/shard-00001.tar.gz" }));
            Assert.That(queue.ShardBytes, Is.EqualTo(store.ListAsync(Batch, $"{Batch}/queue/", CancellationToken.None).Result.Sum(o => o.Size)));
        });
    }

    [Test]
    public async Task Publish_ARowsFile_HoldsItsCommandItsVariablesAndEachAttemptsUrls()
    {
        var rows = Rows(8, _ => "c5.large", firstAttempt: 4);

        var (store, _) = await PublishAsync(rows);

        var shard = await ShardAsync(store, "c5.large", 0);
        var urls = shard.Urls("0007", 5);
        Assert.Multiple(() =>
        {
            Assert.That(shard.Attempts("0007").Select(a => a.Attempt), Is.EqualTo(new[] { 4, 5, 6 }), "the lowest attempt first");
            Assert.That(shard["0007"].TakeWhile(b => b != 0), Is.EqualTo(Encoding.UTF8.GetBytes(rows[7].Command)), "the cell's bytes, no newline added");
            Assert.That(shard.Variables("0007"), Is.EqualTo(new[] { "seed=7", "note=two\nlines 'quoted'" }));
            Assert.That(shard.Text("index"), Does.Contain("0007 4 6\n"));
            Assert.That(urls.Keys, Is.EquivalentTo(new[]
            {
                "AWSRUNNER_URL_CLAIM", "AWSRUNNER_URL_HEARTBEAT", "AWSRUNNER_URL_DONE", "AWSRUNNER_URL_STATUS", "AWSRUNNER_URL_LOG", "AWSRUNNER_URL_RESULTS",
            }));
            Assert.That(urls["AWSRUNNER_URL_CLAIM"], Is.EqualTo("mem://sweep/sweep/queue/rows/0007/5.claim?claim"));
            Assert.That(urls["AWSRUNNER_URL_HEARTBEAT"], Is.EqualTo("mem://sweep/sweep/queue/rows/0007/5.heartbeat.json"));
            Assert.That(urls["AWSRUNNER_URL_DONE"], Is.EqualTo("mem://sweep/sweep/queue/rows/0007/5.done"));
            Assert.That(urls["AWSRUNNER_URL_STATUS"], Is.EqualTo("mem://sweep/sweep/jobs/0007/attempt-5/status.json"));
            Assert.That(urls["AWSRUNNER_URL_LOG"], Is.EqualTo("mem://sweep/sweep/jobs/0007/attempt-5/job.log"));
            Assert.That(urls["AWSRUNNER_URL_RESULTS"], Is.EqualTo("mem://sweep/sweep/jobs/0007/attempt-5/results.tar.gz"));
            Assert.That(shard.Entries.Select(e => e.Type), Is.All.EqualTo(TarEntryType.RegularFile), "a file a row, no folders");
            Assert.That(shard.Entries.Select(e => e.Mode), Is.All.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite));
        });
    }

    [Test]
    public async Task Publish_AFirstAttempt_UploadsItsResultsToTheJobsOwnFolder()
    {
        var (store, _) = await PublishAsync(Rows(1, _ => "c5.large"));

        var urls = (await ShardAsync(store, "c5.large", 0)).Urls("0000", 1);

        Assert.That(urls["AWSRUNNER_URL_STATUS"], Is.EqualTo("mem://sweep/sweep/jobs/0000/status.json"), "where a row's results go today");
    }

    [Test]
    public async Task Publish_UnpackedByGnuTar_GivesTheSameFiles()
    {
        var (store, _) = await PublishAsync(Rows(3, _ => "c5.large"));
        using var folder = new TempFolder();
        var shard = folder.Combine("shard.tar.gz");
        await File.WriteAllBytesAsync(shard, (await store.GetAsync(Batch, "sweep/queue/c5.large/shard-00000.tar.gz", CancellationToken.None))!);

        var tar = await ChildProcess.RunAsync(new ProcessStartInfo("tar", ["-xzf", shard, "-C", folder.Path]), null, CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(tar.ExitCode, Is.EqualTo(0), tar.Error);
            Assert.That(File.ReadAllText(folder.Combine("0002")), Does.StartWith(Rows(3, _ => "").Last().Command + "\0"));
            Assert.That(File.ReadAllText(folder.Combine("index")), Is.EqualTo("0000 1 3\n0001 1 3\n0002 1 3\n"));
        });
    }

    [Test]
    public async Task Publish_SignsForTheValidityAsked()
    {
        var (store, _) = await PublishAsync(Rows(3, _ => "c5.large"));

        Assert.That(store.SignerValidity, Is.EqualTo(new[] { TimeSpan.FromHours(30) }), "one signer for every URL of the queue");
    }

    [Test]
    public async Task Open_APublishedQueue_SignsTheSameShardsAndPagesAnew_UploadingNothing()
    {
        var rows = Rows(2500, i => i % 5 == 0 ? "r5.large" : "c5.large");
        var (_, published) = await PublishAsync(rows);
        var store = new MemoryResultStore(time);

        var opened = await new QueueWriter(store, time, NullLogger<QueueWriter>.Instance)
            .OpenAsync(Batch, Batch, rows, TimeSpan.FromHours(2), CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(opened.Types.Keys, Is.EquivalentTo(published.Types.Keys));
            Assert.That(opened.Types.Values.Select(t => (t.InstanceType, t.Rows, t.Shards, t.Lists)),
                Is.EqualTo(published.Types.Values.Select(t => (t.InstanceType, t.Rows, t.Shards, t.Lists))));
            Assert.That(store.ListAsync(Batch, "", CancellationToken.None).Result, Is.Empty, "nothing uploaded");
            Assert.That(store.SignerValidity, Is.EqualTo(new[] { TimeSpan.FromHours(2) }));
        });
    }
}
