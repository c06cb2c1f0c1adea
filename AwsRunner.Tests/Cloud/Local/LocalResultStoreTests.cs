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
    public async Task PutAndUpload_ManyWritersOfOneKeyAtOnce_EachSucceeds_AndTheObjectIsOneOfTheirs()
    {
        // Two dispatches of one batch at once publish the same shared-bundle marker: each writes aside under a name of
        // its own, or one renames away the aside the other is still to rename.
        await store.EnsureBucketAsync("sweep", CancellationToken.None);
        var source = home.Combine("upload.bin");
        await File.WriteAllBytesAsync(source, [7, 7, 7]);
        var contents = Enumerable.Range(0, 40).Select(i => new[] { (byte)i }).ToList();

        for (var round = 0; round < 10; round++)
        {
            await Task.WhenAll(contents.Select(c => Task.Run(() => c[0] % 2 == 0
                ? store.PutAsync("sweep", "sweep/users/x", c, CancellationToken.None)
                : store.UploadAsync("sweep", "sweep/users/x", source, CancellationToken.None))));
        }

        var stored = await store.GetAsync("sweep", "sweep/users/x", CancellationToken.None);
        Assert.That(contents.Where(c => c[0] % 2 == 0).Append([7, 7, 7]), Has.Some.EqualTo(stored));
        Assert.That(Directory.GetFiles(Path.GetDirectoryName(store.Describe("sweep", "sweep/users/x"))!), Has.Length.EqualTo(1), "no aside file left");
    }

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

    [Test]
    public async Task PutIf_ConditionsOnTheVersionRead_AsS3sIfMatchAndIfNoneMatch()
    {
        await store.EnsureBucketAsync("sweep", CancellationToken.None);

        var created = await store.PutIfAsync("sweep", "sweep/ledger.json", "one"u8.ToArray(), null, CancellationToken.None);
        var createdAgain = await store.PutIfAsync("sweep", "sweep/ledger.json", "two"u8.ToArray(), null, CancellationToken.None);
        var stale = await store.PutIfAsync("sweep", "sweep/ledger.json", "two"u8.ToArray(), "not-the-version", CancellationToken.None);
        var current = await store.PutIfAsync("sweep", "sweep/ledger.json", "two"u8.ToArray(), created, CancellationToken.None);
        var read = await store.GetVersionedAsync("sweep", "sweep/ledger.json", CancellationToken.None);

        Assert.That((created is null, createdAgain, stale, current is null), Is.EqualTo((false, (string?)null, (string?)null, false)));
        Assert.That((System.Text.Encoding.UTF8.GetString(read!.Content), read.ETag), Is.EqualTo(("two", current)));
        Assert.That(await store.ListAsync("sweep", "", CancellationToken.None), Has.Count.EqualTo(1), "the lock beside it is no object");
    }

    [Test]
    public async Task PutIf_TwentyWritersOfOneVersionAtOnce_ExactlyOneWins()
    {
        await store.EnsureBucketAsync("sweep", CancellationToken.None);
        var first = await store.PutIfAsync("sweep", "sweep/ledger.json", "0"u8.ToArray(), null, CancellationToken.None);

        var written = await Task.WhenAll(Enumerable.Range(1, 20).Select(i => Task.Run(() =>
            store.PutIfAsync("sweep", "sweep/ledger.json", System.Text.Encoding.UTF8.GetBytes(i.ToString(System.Globalization.CultureInfo.InvariantCulture)), first, CancellationToken.None))));

        Assert.That(written.Count(w => w is not null), Is.EqualTo(1));
    }
}
