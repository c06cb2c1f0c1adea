using System.Diagnostics;
using AwsRunner.Core.Cloud;
using AwsRunner.Core.Cloud.Local;
using AwsRunner.Core.Queue;
using AwsRunner.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using NUnit.Framework;

namespace AwsRunner.Tests.Queue;

/// <summary>The local cloud's queue: <c>file://</c> paths into the bucket's folder, which a node's bash and curl use as they are.</summary>
[TestFixture]
public sealed class LocalQueueTests
{
    private const string Batch = "sweep";

    private static async Task<(LocalResultStore Store, PublishedQueue Queue)> PublishAsync(TempFolder home)
    {
        var store = new LocalResultStore(new LocalPaths(home.Path));
        await store.EnsureBucketAsync(Batch, CancellationToken.None);
        var rows = Enumerable.Range(0, 3).Select(i => new QueueRow(i, "c5.large", $"echo {i}", new Dictionary<string, string>(), [1, 2])).ToList();
        var queue = await new QueueWriter(store, TimeProvider.System, NullLogger<QueueWriter>.Instance)
            .PublishAsync(Batch, Batch, rows, TimeSpan.FromHours(30), CancellationToken.None);
        return (store, queue);
    }

    private static async Task<ShardFiles> ShardAsync(LocalResultStore store) =>
        ShardFiles.Read((await store.GetAsync(Batch, "sweep/queue/c5.large/shard-00000.tar.gz", CancellationToken.None))!);

    [Test]
    public async Task Claim_IsAPathInTheBucketThatBashCreatesExclusivelyOnce()
    {
        using var home = new TempFolder();
        var (store, _) = await PublishAsync(home);
        var claim = new Uri((await ShardAsync(store)).Urls("0002", 2)["AWSRUNNER_URL_CLAIM"]);

        async Task<int> ClaimAsync(string node) => (await ChildProcess.RunAsync(
            new ProcessStartInfo("bash", ["-c", "set -o noclobber; printf 'node=%s slot=1' \"$1\" > \"$2\"", "claim", node, claim.LocalPath]), null, CancellationToken.None)).ExitCode;

        var first = await ClaimAsync("i-1");
        var second = await ClaimAsync("i-2");

        Assert.Multiple(() =>
        {
            Assert.That(claim.IsFile, Is.True);
            Assert.That(claim.LocalPath, Is.EqualTo(store.Describe(Batch, "sweep/queue/rows/0002/2.claim")));
            Assert.That((first, second), Is.EqualTo((0, 1)), "the second claimer finds the file there");
            Assert.That(File.ReadAllText(claim.LocalPath), Is.EqualTo("node=i-1 slot=1"));
        });
    }

    [Test]
    public async Task Urls_WriteIntoFoldersThatExist_AndOneListIsTheRowsFolder()
    {
        using var home = new TempFolder();
        var (store, queue) = await PublishAsync(home);
        var urls = (await ShardAsync(store)).Urls("0001", 2);

        Assert.Multiple(() =>
        {
            Assert.That(urls.Values.Select(u => Path.GetDirectoryName(new Uri(u).LocalPath)), Is.All.Matches<string>(Directory.Exists),
                "curl's file:// upload and bash's create make no folder");
            Assert.That(new Uri(urls["AWSRUNNER_URL_RESULTS"]).LocalPath, Is.EqualTo(store.Describe(Batch, "sweep/jobs/0001/attempt-2/results.tar.gz")));
            Assert.That(queue.Types["c5.large"].Lists.Select(u => u.LocalPath), Is.EqualTo(new[] { store.Describe(Batch, "sweep/queue/rows/") }));
            Assert.That(Directory.Exists(queue.Types["c5.large"].Lists[0].LocalPath), Is.True);
            Assert.That(queue.Types["c5.large"].Shards.Single().LocalPath, Is.EqualTo(store.Describe(Batch, "sweep/queue/c5.large/shard-00000.tar.gz")));
        });
    }
}
