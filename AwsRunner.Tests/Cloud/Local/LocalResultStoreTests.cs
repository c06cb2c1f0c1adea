using AwsRunner.Core.Cloud.Local;
using AwsRunner.Tests.Support;

namespace AwsRunner.Tests.Cloud.Local;

public sealed class LocalResultStoreTests
{
    private TempFolder home = null!;
    private LocalPaths paths = null!;
    private LocalResultStore store = null!;

    [SetUp]
    public void SetUp()
    {
        home = new TempFolder();
        paths = new LocalPaths(home.Path);
        store = new LocalResultStore(paths);
    }

    [TearDown]
    public void TearDown() => home.Dispose();

    [Test]
    public async Task Delete_BucketAwsrunnerCreated_GoesOnceEmpty()
    {
        await store.EnsureBucketAsync("sweep", CancellationToken.None);
        await store.PutAsync("sweep", "sweep/manifest.json", new byte[3], CancellationToken.None);
        await store.PutAsync("sweep", "other/manifest.json", new byte[3], CancellationToken.None);

        await store.DeleteAsync("sweep", "sweep/", CancellationToken.None);
        var whileOthersRemain = await store.BucketExistsAsync("sweep", CancellationToken.None);
        await store.DeleteAsync("sweep", "other/", CancellationToken.None);

        Assert.That(whileOthersRemain, Is.True);
        Assert.That(await store.BucketExistsAsync("sweep", CancellationToken.None), Is.False);
        Assert.That(Directory.EnumerateFileSystemEntries(paths.Buckets), Is.Empty, "its mark goes with it");
    }

    [Test]
    public async Task Delete_BucketAwsrunnerDidNotCreate_StaysEvenEmpty()
    {
        Directory.CreateDirectory(Path.Combine(paths.Buckets, "shared"));
        await store.EnsureBucketAsync("shared", CancellationToken.None);
        await store.PutAsync("shared", "sweep/manifest.json", new byte[3], CancellationToken.None);

        await store.DeleteAsync("shared", "sweep/", CancellationToken.None);

        Assert.That(await store.ListAsync("shared", "", CancellationToken.None), Is.Empty, "the batch's objects are gone");
        Assert.That(await store.BucketExistsAsync("shared", CancellationToken.None), Is.True, "the bucket stays");
    }
}
