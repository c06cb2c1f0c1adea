using AwsRunner.Tests.Support;

namespace AwsRunner.Tests.Cli.Commands;

/// <summary><c>put</c> and <c>get</c> on the local cloud: a copy into and out of the node's folder.</summary>
public sealed class CopyCommandTests
{
    private LocalBatch batch = null!;

    [SetUp]
    public void SetUp() => batch = new LocalBatch();

    [TearDown]
    public void TearDown() => batch.Dispose();

    [Test]
    public async Task PutAndGet_FileAndFolderBothWays_ByteForByte_ThenAGoneNodePointsAtFetch()
    {
        batch.Write("project/jobs.csv",
            "instance_type,command\n" +
            "t3.micro,\"mkdir -p output/deep && head -c 200000 /dev/urandom > output/deep/r.bin && while [ ! -e release ]; do sleep 0.2; done\"\n");
        var payload = batch.Write("here/payload.bin", "");
        var bytes = new byte[300_000];
        new Random(1).NextBytes(bytes);
        File.WriteAllBytes(payload, bytes);
        batch.Write("here/tree/sub dir/a €.txt", "a\n");
        var dispatched = await batch.RunAsync("dispatch", "local", "copies", "project/jobs.csv", "--cloud", "local", "--create", "--dispatch");
        Assert.That(dispatched.ExitCode, Is.Zero, dispatched.ToString());
        var code = batch.Path("home", ".local-cloud", "nodes", "copies", "0000", "home", "code");
        await Eventually.WaitAsync(() => File.Exists(Path.Combine(code, "output", "deep", "r.bin")), TimeSpan.FromSeconds(60), "the job's output");

        var putFile = await batch.RunAsync("put", "copies", "0", payload);
        var putFolder = await batch.RunAsync("put", "copies", "0", batch.Path("here", "tree"), "renamed");
        // Into folders the job folder does not have yet, as rsync --mkpath: a file, a folder, and into a folder named with a slash.
        var putFileDeep = await batch.RunAsync("put", "copies", "0", payload, "in/blob.bin");
        var putFolderDeep = await batch.RunAsync("put", "copies", "0", batch.Path("here", "tree"), "more/in/dir");
        var putIntoNew = await batch.RunAsync("put", "copies", "0", payload, "new/folder/");
        var getFolder = await batch.RunAsync("get", "copies", "0", "output", batch.Path("here", "gotten"));

        Assert.Multiple(() =>
        {
            Assert.That(File.ReadAllBytes(Path.Combine(code, "in", "blob.bin")), Is.EqualTo(bytes));
            Assert.That(File.ReadAllText(Path.Combine(code, "more", "in", "dir", "sub dir", "a €.txt")), Is.EqualTo("a\n"));
            Assert.That(File.ReadAllBytes(Path.Combine(code, "new", "folder", "payload.bin")), Is.EqualTo(bytes));
            foreach (var run in new[] { putFile, putFolder, putFileDeep, putFolderDeep, putIntoNew, getFolder })
            {
                Assert.That(run.ExitCode, Is.Zero, run.ToString());
            }

            Assert.That(File.ReadAllBytes(Path.Combine(code, "payload.bin")), Is.EqualTo(bytes));
            Assert.That(File.ReadAllText(Path.Combine(code, "renamed", "sub dir", "a €.txt")), Is.EqualTo("a\n"));
            Assert.That(File.ReadAllBytes(batch.Path("here", "gotten", "deep", "r.bin")), Is.EqualTo(File.ReadAllBytes(Path.Combine(code, "output", "deep", "r.bin"))));
        });

        File.WriteAllText(Path.Combine(code, "release"), "");
        await Eventually.WaitAsync(
            () => File.Exists(batch.Path("home", ".local-cloud", "buckets", "copies", "copies", "jobs", "0000", "status.json")), TimeSpan.FromSeconds(60), "the job to finish");
        await Eventually.WaitAsync(() => batch.LiveNodeProcesses().Count == 0, TimeSpan.FromSeconds(60), "the node to power off");
        var gone = await batch.RunAsync("get", "copies", "0", "output", batch.Path("here", "late"));

        Assert.That(gone.ExitCode, Is.EqualTo(3), gone.ToString());
        Assert.That(gone.Error, Does.Contain("awsrunner fetch copies"));
        Assert.That(batch.Path("here", "late"), Does.Not.Exist);
    }
}
