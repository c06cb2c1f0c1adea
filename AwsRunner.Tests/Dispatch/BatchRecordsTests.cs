using AwsRunner.Core.Cloud;
using AwsRunner.Core.Dispatch;
using AwsRunner.Tests.Support;

namespace AwsRunner.Tests.Dispatch;

/// <summary>batch.json: what a dispatch saves is what a later command reads, and a record missing a field is named.</summary>
[TestFixture]
public sealed class BatchRecordsTests
{
    private TempFolder folder = null!;

    [SetUp]
    public void SetUp() => folder = new TempFolder();

    [TearDown]
    public void TearDown() => folder.Dispose();

    [Test]
    public void SavedRecord_ReadsBackWithItsTransport_AndTheSshOptionsItGives()
    {
        var transport = new ShellTransport("openssh", new Dictionary<string, string> { ["user"] = "admin", ["config"] = "/etc/ssh/fleet.conf" });
        BatchRecords.Save(folder.Path, new BatchRecord("sweep1", "aws", "bucket1", "eu-west-2", "http://127.0.0.1:9/", transport));

        var record = BatchRecords.Load(folder.Path, "sweep1")!;

        Assert.Multiple(() =>
        {
            Assert.That((record.Name, record.Cloud, record.Bucket, record.Region, record.EndpointUrl),
                Is.EqualTo(("sweep1", "aws", "bucket1", "eu-west-2", "http://127.0.0.1:9/")));
            Assert.That(record.Transport?.Kind, Is.EqualTo("openssh"));
            Assert.That(record.Transport?.Settings, Is.EquivalentTo(transport.Settings));
            Assert.That((record.Ssh?.User, record.Ssh?.ConfigFile), Is.EqualTo(("admin", "/etc/ssh/fleet.conf")));
            Assert.That(File.ReadAllText(folder.Combine("sweep1", "batch.json")), Does.Not.Contain("\"ssh\""), "the options are read from the transport, not kept twice");
        });
    }

    [Test]
    public void LocalRecord_HasNoSshOptions()
    {
        BatchRecords.Save(folder.Path, new BatchRecord("sweep1", "local", "sweep1", transport: new ShellTransport("local", new Dictionary<string, string>())));

        Assert.That(BatchRecords.Load(folder.Path, "sweep1")!.Ssh, Is.Null);
    }

    [Test]
    public void RecordWithoutItsBucket_IsLeftOutAndNamed()
    {
        folder.Write("sweep1/batch.json", """{"name":"sweep1","cloud":"aws"}""");

        Assert.Multiple(() =>
        {
            Assert.That(BatchRecords.Load(folder.Path, "sweep1"), Is.Null);
            Assert.That(BatchRecords.Damaged(folder.Path),
                Is.EqualTo(new[] { $"{folder.Combine("sweep1", "batch.json")}: not a batch record (a field is missing); its batch is left out" }));
        });
    }
}
