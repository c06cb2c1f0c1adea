using System.Text;
using AwsRunner.Core.Cloud;
using AwsRunner.Core.Cloud.Local;
using AwsRunner.Core.Dispatch;
using AwsRunner.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace AwsRunner.Tests.Dispatch;

/// <summary>
/// The code travels once: create puts the bundle in the bucket under its SHA-256 unless it is there, each node fetches
/// it itself and checks it, and leaves its install log in the bucket.
/// </summary>
[TestFixture]
public sealed class BundleInstallTests
{
    private const string Bucket = "shared";

    private TempFolder folder = null!;
    private CountingResultStore store = null!;
    private CloudConnection connection = null!;

    private string Home => folder.Combine("home");

    [SetUp]
    public void SetUp()
    {
        folder = new TempFolder();
        folder.Write("code/jobs.csv", "instance_type,command\nt3.micro,echo one\nt3.micro,echo two\n");
        folder.Write("code/data.txt", "the code\n");
        folder.Write("install.sh", "echo installing from $(cat data.txt)\n");
        var local = LocalCloudConnection.Open(Home, 2, TimeProvider.System, NullLoggerFactory.Instance);
        store = new CountingResultStore(local.Results);
        connection = new CloudConnection(local.Kind, local.Cloud, local.Shell, store);
    }

    [TearDown]
    public async Task TearDownAsync()
    {
        // The nodes are processes of this machine, their dead man's switches armed for a day: they go with the test.
        foreach (var name in new[] { "first", "second" })
        {
            await new BatchRunner(connection, Home).DownAsync(name, deleteResults: true, Bucket);
        }

        await connection.DisposeAsync();
        folder.Dispose();
    }

    [Test]
    public async Task Create_SecondDispatchAndAnotherBatchWithTheSameCode_UploadNoBundle()
    {
        var first = await CreateAsync("first");
        await CreateAsync("first");
        var other = await CreateAsync("second");

        Assert.Multiple(() =>
        {
            Assert.That(first.Nodes.Concat(other.Nodes).Select(n => n.State), Is.All.EqualTo(JobState.Ready));
            Assert.That(store.Uploads, Has.Count.EqualTo(1).And.All.Match(@"^_awsrunner/bundles/[0-9a-f]{64}\.tar\.gz$"),
                "one bundle uploaded, for the first create; the re-run and the other batch found it in the bucket");
        });
    }

    [Test]
    public async Task Install_BundleWhoseHashDiffers_FailsSayingSo()
    {
        store.Spoil = true;

        var result = await CreateAsync("first");

        Assert.Multiple(() =>
        {
            Assert.That(result.Nodes.Select(n => n.State), Is.All.EqualTo(JobState.InstallFailed));
            Assert.That(result.Nodes.Select(n => n.Detail), Is.All.Contains("SHA-256").And.All.Contains("not installed"));
        });
    }

    [Test]
    public async Task Install_WhenItEnds_ItsLogIsInTheBucket()
    {
        await CreateAsync("first");

        var log = await store.GetAsync(Bucket, "first/jobs/0001/install.log", CancellationToken.None);

        Assert.That(log is null ? null : Encoding.UTF8.GetString(log), Does.Contain("installing from the code"));
    }

    [Test]
    public async Task DownDeleteResults_BundleAnotherBatchUses_StaysUntilItsLastUserGoes()
    {
        await CreateAsync("first");
        await CreateAsync("second");
        var bundle = store.Uploads.Single();

        await new BatchRunner(connection, Home).DownAsync("first", deleteResults: true, Bucket);
        var afterFirst = await store.ListAsync(Bucket, bundle, CancellationToken.None);
        await new BatchRunner(connection, Home).DownAsync("second", deleteResults: true, Bucket);
        var afterSecond = await store.ListAsync(Bucket, "_awsrunner/", CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(afterFirst.Select(o => o.Key), Is.EqualTo(new[] { bundle }), "the second batch still uses it");
            Assert.That(afterSecond, Is.Empty, "its last user gone, the bundle and the marks go too");
        });
    }

    private Task<DispatchResult> CreateAsync(string name) =>
        new BatchRunner(connection, Home).DispatchResultAsync(new DispatchOptions
        {
            ImageId = "local",
            Name = name,
            Bucket = Bucket,
            JobFile = folder.Combine("code", "jobs.csv"),
            InstallScript = folder.Combine("install.sh"),
            Create = true,
        });
}
