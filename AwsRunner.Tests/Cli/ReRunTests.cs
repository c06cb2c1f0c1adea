using AwsRunner.Tests.Support;

namespace AwsRunner.Tests.Cli;

/// <summary>A batch created once, then run again with a job file or a ledger that is no longer what it was.</summary>
public sealed class ReRunTests
{
    private LocalBatch batch = null!;

    [SetUp]
    public async Task SetUp()
    {
        batch = new LocalBatch();
        batch.Write("project/jobs.csv", "instance_type,command,seed\nt3.micro,true,1\nt3.micro,true,2\n");
        var created = await batch.RunAsync("dispatch", "local", "again", "project/jobs.csv", "--cloud", "local", "--create");
        Assert.That(created.ExitCode, Is.Zero, created.ToString());
    }

    [TearDown]
    public void TearDown() => batch.Dispose();

    [Test]
    public async Task ReRun_JobFileWithAChangedVariable_IsRefusedNamingRowAndColumn()
    {
        batch.Write("project/jobs.csv", "instance_type,command,seed\nt3.micro,true,1\nt3.micro,true,3\n");

        var run = await batch.RunAsync("dispatch", "local", "again", "project/jobs.csv", "--cloud", "local", "--create", "--dispatch");

        Assert.That(run.ExitCode, Is.EqualTo(2), run.ToString());
        Assert.That(run.Error.Trim(), Is.EqualTo(
            "awsrunner: project/jobs.csv:3: column 3 (seed): \"3\" differs from \"2\", the value batch \"again\" was created with; give the new jobs a new NAME, or restore the file"));
        var status = await batch.RunAsync("status", "again");
        Assert.That(status.Output, Does.Match(@"0001\s+t3\.micro\s+-\s+queued"), "nothing was dispatched");
    }

    [Test]
    public async Task Status_LedgerChangedInTheBucket_IsRefusedNamingTheObject()
    {
        var ledger = batch.Object("again", "ledger.json.gz");
        Gzip.WriteText(ledger, Gzip.ReadText(ledger).Replace("\"seed\"", "\"LD_PRELOAD\"", StringComparison.Ordinal));

        var status = await batch.RunAsync("status", "again");

        Assert.That(status.ExitCode, Is.EqualTo(3), status.ToString());
        Assert.That(status.Error, Does.StartWith($"awsrunner: Error attempting to read the ledger {ledger}: row 0: variable \"LD_PRELOAD\": LD_PRELOAD belongs to the node's shell"));
        Assert.That(status.Error, Does.Contain("hint: it was changed outside awsrunner"));
    }
}
