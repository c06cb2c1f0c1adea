using AwsRunner.Core.Cloud;
using AwsRunner.Core.Cloud.Local;
using AwsRunner.Core.Dispatch;
using AwsRunner.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace AwsRunner.Tests.Dispatch;

/// <summary>
/// What create says to each node, counted: on a fleet of many nodes every command to every node costs more than it
/// saves (docs/benchmarks.md, fan-out). A short INSTALL.sh is known done from the command that uploaded the code and
/// started it, and a node this batch never touched is not asked what it holds.
/// </summary>
[TestFixture]
public sealed class InstallSettleTests
{
    private const string Name = "settle";

    private TempFolder folder = null!;
    private RecordingShell shell = null!;
    private CloudConnection connection = null!;

    private string Home => folder.Combine("home");

    [SetUp]
    public void SetUp()
    {
        folder = new TempFolder();
        folder.Write("code/jobs.csv", "instance_type,command\nt3.micro,echo one\nt3.micro,echo two\n");
        folder.Write("install.sh", "echo installed\n");
        var local = LocalCloudConnection.Open(Home, 2, TimeProvider.System, NullLoggerFactory.Instance);
        shell = new RecordingShell(local.Shell);
        connection = new CloudConnection(local.Kind, local.Cloud, shell, local.Results);
    }

    [TearDown]
    public async Task TearDownAsync()
    {
        // The nodes are processes of this machine, their dead man's switches armed for a day: they go with the test.
        await new BatchRunner(connection, Home).DownAsync(Name);
        await connection.DisposeAsync();
        folder.Dispose();
    }

    [Test]
    public async Task Create_ShortInstall_OutcomeComesWithTheUpload_NoPollRoundAfterIt()
    {
        var result = await CreateAsync();

        Assert.Multiple(() =>
        {
            Assert.That(result.Nodes.Select(n => n.State), Is.All.EqualTo(JobState.Ready));
            foreach (var job in new[] { 0, 1 })
            {
                Assert.That(shell.CommandsOf(job)[^1], Does.Contain("'start' 'install'").And.Contains("'report'"),
                    $"job {job}: the last command is the one that started INSTALL.sh and reported its end");
            }
        });
    }

    [Test]
    public async Task Create_FreshNodes_TheUploadIsTheFirstCommand_AnAdoptedNodeIsAskedFirst()
    {
        await CreateAsync();
        var fresh = new[] { 0, 1 }.Select(job => shell.CommandsOf(job)).ToList();

        await CreateAsync();
        var adopted = shell.CommandsOf(0).Skip(fresh[0].Count).ToList();

        Assert.Multiple(() =>
        {
            Assert.That(fresh.Select(c => c[0]), Is.All.Contain("'start' 'install'"), "a node launched by this run gets the code first");
            Assert.That(adopted, Has.Count.EqualTo(1).And.One.Contains("'report'").And.None.Contain("'start' 'install'"),
                "an adopted node that is ready is asked, and installed no second time");
        });
    }

    private Task<DispatchResult> CreateAsync() =>
        new BatchRunner(connection, Home).DispatchResultAsync(new DispatchOptions
        {
            ImageId = "local",
            Name = Name,
            JobFile = folder.Combine("code", "jobs.csv"),
            InstallScript = folder.Combine("install.sh"),
            Create = true,
        });
}
