using Microsoft.Extensions.Time.Testing;
using AwsRunner.Core.Cloud;
using AwsRunner.Core.Dispatch;
using AwsRunner.Core.Ledger;
using AwsRunner.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace AwsRunner.Tests.Dispatch;

public sealed class JobStarterUrlValidityTests
{
    private const string Batch = "sweep";

    [Test]
    public async Task Start_BatchCreatedWith72HoursDispatchedWithTheDefault_UrlsCoverThe72HourNode()
    {
        using var folder = new TempFolder();
        var time = new FakeTimeProvider();
        var cloud = new FakeCloud();
        var store = new MemoryResultStore(time);
        var launched = time.GetUtcNow();
        cloud.Instances.Add(new NodeInstance(Batch, 0, "i-0", "c5.large", InstanceState.Running, "198.51.100.7", launched));
        Directory.CreateDirectory(folder.Combine("code"));
        var jobFile = folder.Combine("code/jobs.csv");
        await File.WriteAllTextAsync(jobFile, "instance_type,command\nc5.large,true\n");
        var document = TestLedgers.Rows(Batch, 1, launched, TestLedgers.Settings(maxHours: 72))
            .WithAttempts(0, new LedgerAttempt { Number = 1, Node = "i-0" })
            .WithNodes(TestLedgers.Node("i-0", launched));
        var ledger = await TestLedgers.StoreAsync(store, document);
        time.Advance(TimeSpan.FromHours(1));
        var connection = new CloudConnection("fake", cloud, new StartingShell(), store);
        // A separate dispatch: --max-hours not given.
        var round = new DispatchRound
        {
            Ledger = ledger,
            Options = new DispatchOptions { ImageId = "ami-12345678", Name = Batch, JobFile = jobFile, Dispatch = true },
            Secrets = [],
            Rows = new HashSet<int> { 0 },
            Dispatcher = Dispatcher.Current,
        };

        await new JobStarter(connection, time, NullLogger<JobStarter>.Instance).StartAsync(round, null, CancellationToken.None);

        var needed = launched + TimeSpan.FromHours(72) - time.GetUtcNow();
        Assert.That(store.UrlValidity["sweep/jobs/0000/"], Is.EqualTo(needed + JobStarter.UrlMargin));
    }

    /// <summary>A node whose runner starts every job it is given.</summary>
    private sealed class StartingShell : INodeShell
    {
        public ShellTransport Transport { get; } = new("fake", new Dictionary<string, string>());

        public Task WaitReachableAsync(NodeInstance node, CancellationToken cancellationToken) => Task.CompletedTask;

        public Task<ShellResult> RunAsync(NodeInstance node, string command, Stream? input, CancellationToken cancellationToken) =>
            Task.FromResult(new ShellResult(0, "running\n", ""));

        public Task<int> AttachAsync(NodeInstance node, string? command, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task CopyToNodeAsync(NodeInstance node, string localPath, string remotePath, IProgress<CopyProgress>? progress, CancellationToken cancellationToken) =>
            throw new NotSupportedException();

        public Task CopyFromNodeAsync(NodeInstance node, string remotePath, string localPath, IProgress<CopyProgress>? progress, CancellationToken cancellationToken) =>
            throw new NotSupportedException();

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
