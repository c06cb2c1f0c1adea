using System.Collections.Concurrent;
using AwsRunner.Core.Cloud;
using AwsRunner.Core.Cloud.Local;
using AwsRunner.Core.Dispatch;
using AwsRunner.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace AwsRunner.Tests.Dispatch;

/// <summary>With create and dispatch together, each node starts its job as soon as its own install has ended.</summary>
[TestFixture]
public sealed class CreateThenStartTests
{
    private const string Name = "pipeline";

    private TempFolder folder = null!;
    private CloudConnection connection = null!;

    private string Home => folder.Combine("home");

    [SetUp]
    public void SetUp()
    {
        folder = new TempFolder();
        var gate = folder.Combine("job0-started");
        // Job 0's command opens the gate that job 1's install waits for: job 1 can install only once job 0 runs.
        folder.Write("code/jobs.csv", $"instance_type,command\nt3.micro,touch {gate}\nt3.micro,echo two\n");
        folder.Write("install.sh", $"case \"$HOME\" in */0001/home) while [ ! -e {gate} ]; do sleep 0.1; done ;; esac\n");
        connection = LocalCloudConnection.Open(Home, 2, TimeProvider.System, NullLoggerFactory.Instance);
    }

    [TearDown]
    public async Task TearDownAsync()
    {
        await new BatchRunner(connection, Home).DownAsync(Name);
        await connection.DisposeAsync();
        folder.Dispose();
    }

    [Test]
    public async Task CreateAndDispatch_OneInstallHeldBack_TheOtherJobStartsMeanwhile()
    {
        var events = new ConcurrentQueue<NodeProgress>();

        var result = await new BatchRunner(connection, Home).DispatchResultAsync(
            new DispatchOptions
            {
                ImageId = "local",
                Name = Name,
                JobFile = folder.Combine("code", "jobs.csv"),
                InstallScript = folder.Combine("install.sh"),
                Create = true,
                Dispatch = true,
                PollInterval = TimeSpan.FromMilliseconds(200),
                // Were job 0 to wait for every install, job 1's would end only here, failed.
                InstallTimeout = TimeSpan.FromSeconds(15),
            },
            new Progress(events));

        var order = events.ToList();
        var job0Started = order.FindIndex(e => e.Index == 0 && e.State is JobState.Queued or JobState.Running or JobState.Done);
        var job1Ready = order.FindIndex(e => e.Index == 1 && e.State == JobState.Ready);
        Assert.Multiple(() =>
        {
            Assert.That(result.Nodes.Select(n => n.State), Has.None.EqualTo(JobState.InstallFailed).And.None.EqualTo(JobState.Ready),
                "both installs ended well, and both jobs were started");
            Assert.That(job0Started, Is.GreaterThanOrEqualTo(0).And.LessThan(job1Ready),
                $"job 0 started while job 1 still installed: {string.Join(", ", order.Select(e => $"{e.Index} {e.State}"))}");
        });
    }

    private sealed class Progress(ConcurrentQueue<NodeProgress> events) : IProgress<NodeProgress>
    {
        public void Report(NodeProgress value) => events.Enqueue(value);
    }
}
