using AwsRunner.Tests.Support;

namespace AwsRunner.Tests.Cli.Commands;

/// <summary><c>fetch</c> of a batch one of whose jobs put a link to outside its folder among its results.</summary>
public sealed class FetchCommandTests
{
    private LocalBatch batch = null!;

    [SetUp]
    public void SetUp() => batch = new LocalBatch();

    [TearDown]
    public void TearDown() => batch.Dispose();

    [Test]
    public async Task Fetch_JobWhoseResultsHoldALink_IsReportedTheOthersFetchedExit3()
    {
        batch.Write("project/jobs.csv",
            "instance_type,command\n" +
            "t3.micro,\"mkdir -p output; echo a > output/a.txt; ln -s /etc/passwd output/passwd\"\n" +
            "t3.micro,\"mkdir -p output; echo b > output/b.txt\"\n");
        var run = await batch.RunAsync("dispatch", "local", "linked", "project/jobs.csv", "--cloud", "local", "--create", "--dispatch", "--wait");
        Assert.That(run.ExitCode, Is.Zero, run.ToString());

        var fetched = await batch.RunAsync("fetch", "linked", "out");

        var archive = batch.Path("home", ".local-cloud", "buckets", "linked", "linked", "jobs", "0000", "results.tar.gz");
        Assert.Multiple(() =>
        {
            Assert.That(fetched.ExitCode, Is.EqualTo(3), fetched.ToString());
            Assert.That(fetched.Error.Trim(), Is.EqualTo(
                $"awsrunner: job 0000 not fetched: {archive}: entry \"output/passwd\" is a symbolic link (to /etc/passwd): fetch unpacks regular files and folders only"));
            Assert.That(fetched.Output, Does.Contain("2 jobs: 1 succeeded, 0 failed, 0 missing, 1 not fetched."));
            Assert.That(File.ReadAllText(batch.Path("out", "0001", "output", "b.txt")), Is.EqualTo("b\n"));
            Assert.That(Directory.Exists(batch.Path("out", "0000", "output")), Is.False, "nothing of the refused archive");
            Assert.That(File.Exists(batch.Path("out", "0000", "status.json")), Is.True, "its status still comes home");
        });
    }
}
