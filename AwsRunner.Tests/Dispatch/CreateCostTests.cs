using AwsRunner.Core.Cloud;
using AwsRunner.Core.Cloud.Local;
using AwsRunner.Core.Dispatch;
using AwsRunner.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace AwsRunner.Tests.Dispatch;

/// <summary>
/// The dispatcher's own cost per node stays flat: with create and dispatch together, the bucket is listed and the
/// cloud described a fixed number of times whatever the number of nodes, and each node gets two commands.
/// </summary>
[TestFixture]
public sealed class CreateCostTests
{
    private const string Name = "cost";
    private const int Nodes = 8;

    private TempFolder folder = null!;
    private CountingResultStore store = null!;
    private PendingCloud cloud = null!;
    private RecordingShell shell = null!;
    private CloudConnection local = null!;
    private CloudConnection connection = null!;

    private string Home => folder.Combine("home");

    [SetUp]
    public void SetUp()
    {
        folder = new TempFolder();
        folder.Write("code/jobs.csv", "instance_type,command\n" + string.Concat(Enumerable.Repeat("t3.micro,true\n", Nodes)));
        folder.Write("install.sh", "echo installed\n");
        local = LocalCloudConnection.Open(Home, 2, TimeProvider.System, NullLoggerFactory.Instance);
        store = new CountingResultStore(local.Results);
        cloud = new PendingCloud(local.Cloud);
        shell = new RecordingShell(local.Shell);
        connection = new CloudConnection(local.Kind, cloud, shell, store);
    }

    [TearDown]
    public async Task TearDownAsync()
    {
        await new BatchRunner(local, Home).DownAsync(Name);
        await connection.DisposeAsync();
        folder.Dispose();
    }

    [Test]
    public async Task CreateAndDispatch_EightNodes_NoPerNodeListingCloudCallOrExtraCommand()
    {
        var result = await new BatchRunner(connection, Home).DispatchResultAsync(new DispatchOptions
        {
            ImageId = "local",
            Name = Name,
            JobFile = folder.Combine("code", "jobs.csv"),
            InstallScript = folder.Combine("install.sh"),
            Create = true,
            Dispatch = true,
            MaxInstances = Nodes,
        });

        Assert.Multiple(() =>
        {
            Assert.That(result.Nodes.Select(n => n.State), Has.None.EqualTo(JobState.Ready).And.None.EqualTo(JobState.InstallFailed));
            Assert.That(store.Listings, Has.Count.EqualTo(1), "the bundle once; the ledger is read, never listed: " + string.Join(", ", store.Listings));
            Assert.That(cloud.Describes, Is.EqualTo(1), "one description of the batch while it boots");
            Assert.That(Enumerable.Range(0, Nodes).Select(i => shell.CommandsOf(i).Count), Is.All.EqualTo(2), "the install with its report, the start");
        });
    }
}
