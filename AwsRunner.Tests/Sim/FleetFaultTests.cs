using System.Text.Json;
using System.Text.RegularExpressions;
using AwsRunner.Core.Cloud.Aws;
using AwsRunner.Sim.Faults;
using AwsRunner.Tests.Support;

namespace AwsRunner.Tests.Sim;

/// <summary>
/// Faults injected into whole batches on the shared fleet, through the real awsrunner command: a proxy in front of the
/// fleet's moto (given as --endpoint-url) throttles EC2 and S3, or holds back a launch while the command is killed.
/// Each test has a batch of its own; after it, whatever of its batch still runs is terminated and the test fails.
/// </summary>
[TestFixture]
[Parallelizable(ParallelScope.Children)]
[FixtureLifeCycle(LifeCycle.InstancePerTestCase)]
public sealed partial class FleetFaultTests
{
    private static readonly TimeSpan JobsTimeout = TimeSpan.FromSeconds(90);
    private static readonly TimeSpan LaunchTimeout = TimeSpan.FromSeconds(90);

    private static SimulatedFleet? fleet;

    private FleetBatch? batch;

    private static SimulatedFleet Fleet => fleet ?? throw new InvalidOperationException("no fleet");

    [OneTimeSetUp]
    public static async Task StartFleetAsync() => fleet = await SharedFleet.GetAsync();

    [TearDown]
    public async Task NothingOfTheBatchIsLeftAsync()
    {
        if (batch is not null)
        {
            await batch.EndAsync();
        }
    }

    [Test]
    public async Task Batch_EC2ThrottledAndS3SlowDown_CompletesWithEveryResultAndPrintsNoSecret()
    {
        // Distinct from every other test's, so that finding it in the output can only mean it leaked.
        var secret = "fault-secret-" + Guid.NewGuid().ToString("N");
        await using var proxy = await FaultProxy.StartAsync(Fleet.Endpoint, new ThrottlePattern(every: 3, limit: 4), CancellationToken.None);
        batch = new FleetBatch(Fleet, "fleet-throttled", proxy.Url);
        batch.Cli.Environment["AWS_SECRET_ACCESS_KEY"] = secret;
        WriteDataJobs(batch, waitForRelease: false, "t3.micro", "c5.large", "t3.micro");

        var dispatch = await batch.DispatchAsync("--wait", "--verbose");
        Assert.That(dispatch.ExitCode, Is.Zero, dispatch.ToString());
        var status = await batch.RunAsync("status", batch.Name, "--json", "--verbose");
        var fetch = await batch.RunAsync("fetch", batch.Name, batch.Output, "--verbose");
        var states = JsonDocument.Parse(status.Output).RootElement;
        var jobs = FleetBatch.InstanceOfJob(states);
        await batch.WaitTerminatedAsync(JobsTimeout);
        var intact = batch.CountIntactResults(jobs, "data.bin");
        ReliabilityLedger.Fault("EC2 throttling", proxy.Tally.Injected(AwsLane.Ec2));
        ReliabilityLedger.Fault("S3 SlowDown", proxy.Tally.Injected(AwsLane.S3) + proxy.Tally.Injected(AwsLane.S3Presigned));

        Assert.Multiple(() =>
        {
            Assert.That(dispatch.Output, Does.Contain("3 of 3 nodes started"), dispatch.ToString());
            Assert.That(dispatch.Error, Does.Contain("RequestLimitExceeded; attempt"), "awsrunner said it retried");
            Assert.That(status.ExitCode, Is.Zero, status.ToString());
            Assert.That(FleetBatch.States(states), Is.All.EqualTo("done"));
            Assert.That(fetch.ExitCode, Is.Zero, fetch.ToString());
            Assert.That(fetch.Output, Does.Contain("3 jobs: 3 succeeded, 0 failed, 0 missing"), fetch.ToString());
            Assert.That(intact, Is.EqualTo(3), "results fetched byte for byte");
            Assert.That(proxy.Tally.Injected(AwsLane.Ec2), Is.GreaterThan(0), proxy.Tally.ToString());
            Assert.That(proxy.Tally.Injected(AwsLane.S3), Is.GreaterThan(0), proxy.Tally.ToString());
            Assert.That(proxy.Tally.Injected(AwsLane.S3Presigned), Is.GreaterThan(0), proxy.Tally.ToString());
        });

        var said = string.Join("\n", new[] { dispatch, status, fetch }.Select(run => run.ToString()).Concat(FilesUnder(batch.Cli.Home)));
        var onNodes = string.Join("\n", jobs.Values.SelectMany(instance => FilesUnder(Path.Combine(Fleet.NodeHome(instance), "awsrunner"))));
        Assert.Multiple(() =>
        {
            Assert.That(said, Does.Not.Contain("PRIVATE KEY"));
            Assert.That(SignaturePattern().Match(said).Value, Is.Empty, "a presigned URL's signature");
            Assert.That(said, Does.Not.Contain(secret), "the AWS secret access key");
            Assert.That(onNodes, Does.Contain("X-Amz-Signature="), "the nodes' upload URLs were looked at");
            Assert.That(onNodes, Does.Not.Contain(secret), "the AWS secret access key, on a node");
        });
    }

    [Test]
    public async Task Dispatch_KilledBetweenTwoRunInstancesCalls_TheSameCommandAdoptsWhatWasLaunchedAndLaunchesOnlyTheRest()
    {
        var gate = new CallGate("RunInstances", pass: 1);
        await using var proxy = await FaultProxy.StartAsync(Fleet.Endpoint, gate, CancellationToken.None);
        batch = new FleetBatch(Fleet, "fleet-killed", proxy.Url);
        WriteDataJobs(batch, waitForRelease: true, "t3.micro", "c5.large", "t3.micro", "c5.large");

        // RunInstances per instance type, c5.large first: the second call is held until the command is dead, then dropped.
        using (var first = batch.StartDispatch())
        {
            try
            {
                await gate.Held.WaitAsync(LaunchTimeout);
            }
            finally
            {
                // Process.Kill is SIGKILL: no handler of awsrunner's runs.
                first.Kill();
                await first.WaitForExitAsync();
                gate.Close();
            }

            Assert.That(first.ExitCode, Is.EqualTo(137), "killed by SIGKILL");
        }

        ReliabilityLedger.Fault("SIGKILL mid-launch", 1);
        var launchedBefore = await batch.InstancesAsync();
        Assert.That(launchedBefore.Select(i => i.InstanceType), Is.EqualTo(new[] { "c5.large", "c5.large" }), "the first RunInstances call only");

        var rerun = await batch.DispatchAsync();
        var instances = await batch.InstancesAsync();
        var rows = instances.Where(i => i.State != "terminated").GroupBy(RowOf).ToDictionary(g => g.Key, g => g.Count());
        Assert.Multiple(() =>
        {
            Assert.That(rerun.ExitCode, Is.Zero, rerun.ToString());
            Assert.That(rerun.Output, Does.Contain("4 of 4 nodes started"), rerun.ToString());
            Assert.That(instances, Has.Count.EqualTo(4), "one instance per row, and never a twin");
            Assert.That(rows, Is.EquivalentTo(Enumerable.Range(0, 4).ToDictionary(r => r, _ => 1)), "one live instance per row");
            Assert.That(instances.Select(i => i.InstanceId), Is.SupersetOf(launchedBefore.Select(i => i.InstanceId)), "adopted");
        });

        var jobs = instances.ToDictionary(RowOf, i => i.InstanceId);
        foreach (var instance in jobs.Values)
        {
            File.WriteAllText(Path.Combine(Fleet.NodeHome(instance), "release"), "");
        }

        await batch.WaitTerminatedAsync(JobsTimeout);
        var fetch = await batch.RunAsync("fetch", batch.Name, batch.Output);
        Assert.That(fetch.Output, Does.Contain("4 jobs: 4 succeeded, 0 failed, 0 missing"), fetch.ToString());
        Assert.That(batch.CountIntactResults(jobs, "data.bin"), Is.EqualTo(4));
    }

    [Test]
    public async Task Dispatch_NotOneInstanceWithinTheAccountsVcpuLimit_SaysTheVcpusAskedAndLaunchesNothing()
    {
        await using var account = await LimitedAccount.StartAsync(Fleet, vcpuLimit: 1);
        batch = new FleetBatch(Fleet, "fleet-vcpu-limit", account.Url);
        WriteDataJobs(batch, waitForRelease: false, "c5.large", "c5.large", "c5.large");

        var dispatch = await batch.DispatchAsync();
        var instances = await batch.InstancesAsync();
        ReliabilityLedger.Fault("vCPU limit", account.Tally.Injected(AwsLane.Ec2));

        Assert.Multiple(() =>
        {
            Assert.That(dispatch.ExitCode, Is.EqualTo(3), dispatch.ToString());
            Assert.That(dispatch.Output + dispatch.Error, Does.Contain("VcpuLimitExceeded"));
            Assert.That(dispatch.Error, Does.Contain("the batch asked for 6 vCPUs (c5.large x3 of 2 vCPUs)"), dispatch.ToString());
            Assert.That(account.Tally.Injected(AwsLane.Ec2), Is.GreaterThan(0), account.Tally.ToString());
            Assert.That(instances, Is.Empty, "a 2-vCPU instance does not fit in 1 vCPU: the queue has nothing to run on");
        });
    }

    /// <summary>One row per instance type; each job writes random data, once its node has a $HOME/release if told to wait.</summary>
    private static void WriteDataJobs(FleetBatch batch, bool waitForRelease, params string[] instanceTypes)
    {
        batch.Write("code/work.sh", """
            if [ "$wait" = yes ]; then while [ ! -e "$HOME/release" ]; do sleep 0.1; done; fi
            mkdir -p output
            head -c $((1000 + 7919 * AWSRUNNER_INDEX)) /dev/urandom > output/data.bin
            """ + "\n" + FleetBatch.KeepCommand("data.bin") + "\n");
        batch.Write("code/jobs.csv", "instance_type,command,wait\n" + string.Concat(instanceTypes.Select(t => $"{t},bash work.sh,{(waitForRelease ? "yes" : "no")}\n")));
    }

    private static int RowOf(Core.Cloud.Aws.Ec2.Ec2Instance instance) =>
        RowsTag.Decode(instance.Tags[RowsTag.Key])![instance.AmiLaunchIndex];

    /// <summary>Every file under a folder, named and whole; but the private key awsrunner keeps in its home on purpose.</summary>
    private static IEnumerable<string> FilesUnder(string folder) =>
        Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
            .Where(f => Path.GetFileName(f) != "key.pem")
            .Select(f => $"--- {f}\n{File.ReadAllText(f)}");

    [GeneratedRegex("X-Amz-Signature=[0-9a-f]{16,}", RegexOptions.IgnoreCase)]
    private static partial Regex SignaturePattern();
}
