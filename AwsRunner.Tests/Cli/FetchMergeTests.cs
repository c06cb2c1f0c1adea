using AwsRunner.Tests.Support;

namespace AwsRunner.Tests.Cli;

public sealed class FetchMergeTests
{
    private LocalBatch batch = null!;

    [SetUp]
    public void SetUp() => batch = new LocalBatch();

    [TearDown]
    public void TearDown() => batch.Dispose();

    [Test]
    public async Task FetchMerge_ParameterSweep_ComesHomeAsOneTableAndAMismatchedHeaderIsReported()
    {
        batch.Write("project/jobs.csv",
            "instance_type,command,rate,label\n" +
            "t3.micro,bash job.sh,0.1,\"a, first\"\n" +
            "t3.micro,bash job.sh,0.2,second\n" +
            "t3.micro,\"mkdir -p output; printf 'step,cost\\n1,9\\n' > output/results.csv\",0.3,odd\n");
        batch.Write("project/job.sh", "mkdir -p output\nprintf 'step,loss\\n1,%s\\n2,%s\\n' \"$rate\" \"${#label}\" > output/results.csv\n");
        var run = await batch.RunAsync("dispatch", "local", "sweep", "project/jobs.csv", "--cloud", "local", "--create", "--dispatch", "--wait");
        Assert.That(run.ExitCode, Is.Zero, run.ToString());

        var fetched = await batch.RunAsync("fetch", "sweep", "out", "--merge", "merged.csv");

        Assert.That(fetched.ExitCode, Is.EqualTo(1), "a table without job 2's results is not a whole one: " + fetched);
        Assert.That(fetched.Output, Does.Contain("Merged 4 rows from 2 jobs into " + batch.Path("merged.csv")));
        Assert.That(fetched.Error, Does.Contain("job 0002 left out of the merge: its header (step,cost) differs from the first job's (step,loss)"));
        Assert.That(File.ReadAllText(batch.Path("merged.csv")).ReplaceLineEndings("\n"), Is.EqualTo(
            "batch,job,instance_type,command,rate,label,step,loss\n" +
            "sweep,0,t3.micro,bash job.sh,0.1,\"a, first\",1,0.1\n" +
            "sweep,0,t3.micro,bash job.sh,0.1,\"a, first\",2,8\n" +
            "sweep,1,t3.micro,bash job.sh,0.2,second,1,0.2\n" +
            "sweep,1,t3.micro,bash job.sh,0.2,second,2,6\n"));
    }

    [Test]
    public async Task FetchMerge_JobWithSeveralCsvFiles_AsksForMergeSource()
    {
        batch.Write("project/jobs.csv", "instance_type,command\nt3.micro,\"mkdir -p output; echo a > output/x.csv; echo b > output/y.csv\"\n");
        await batch.RunAsync("dispatch", "local", "twofiles", "project/jobs.csv", "--cloud", "local", "--create", "--dispatch", "--wait");

        var fetched = await batch.RunAsync("fetch", "twofiles", "out", "--merge", "merged.csv");
        var chosen = await batch.RunAsync("fetch", "twofiles", "out", "--merge", "merged.csv", "--merge-source", "output/y.csv");

        Assert.That(fetched.Error, Does.Contain("job 0000 left out of the merge: it wrote several CSV files (output/x.csv, output/y.csv); choose one with --merge-source"));
        Assert.That(chosen.Output, Does.Contain("Merged 0 rows from 1 jobs"));
        Assert.That(File.ReadAllText(batch.Path("merged.csv")).ReplaceLineEndings("\n"), Is.EqualTo("batch,job,instance_type,command,b\n"));
    }

    [Test]
    public async Task FetchMerge_JsonResults_MergeAndAnUnreadableOneIsOneLineAndExit1()
    {
        batch.Write("project/jobs.csv",
            "instance_type,command,seed\n" +
            "t3.micro,\"mkdir -p output; printf '{\"\"seed\"\": %s, \"\"pi\"\": 3.14}' $seed > output/result.json\",1\n" +
            "t3.micro,\"mkdir -p output; echo 'not: json' > output/result.json\",2\n");
        var run = await batch.RunAsync("dispatch", "local", "jsonsweep", "project/jobs.csv", "--cloud", "local", "--create", "--dispatch", "--wait");
        Assert.That(run.ExitCode, Is.Zero, run.ToString());

        var fetched = await batch.RunAsync("fetch", "jsonsweep", "out", "--merge", "merged.csv", "--merge-source", "output/result.json");

        Assert.That(fetched.ExitCode, Is.EqualTo(1), fetched.ToString());
        Assert.That(fetched.Output, Does.Contain("Merged 1 rows from 1 jobs into " + batch.Path("merged.csv")));
        Assert.That(fetched.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries), Is.EqualTo(new[]
        {
            "awsrunner: job 0001 left out of the merge: output/result.json:1: not JSON ('not: json ' is an invalid JSON literal. Expected the literal 'null')",
        }));
        Assert.That(File.ReadAllText(batch.Path("merged.csv")), Is.EqualTo("batch,job,instance_type,command,seed,pi\njsonsweep,0,t3.micro,\"mkdir -p output; printf '{\"\"seed\"\": %s, \"\"pi\"\": 3.14}' $seed > output/result.json\",1,3.14\n"));
    }
}
