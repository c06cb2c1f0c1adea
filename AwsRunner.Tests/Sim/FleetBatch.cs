using System.Diagnostics;
using System.Text.Json;
using AwsRunner.Core.Cloud.Aws.Ec2;
using AwsRunner.Core.Dispatch;
using AwsRunner.Tests.Cloud.Ssh;
using AwsRunner.Tests.Support;

namespace AwsRunner.Tests.Sim;

/// <summary>
/// One test's batch on a simulated fleet: a code folder with its job file, an awsrunner home of its own, the awsrunner
/// command pointed at the fleet (or at <paramref name="endpoint"/>, a proxy in front of it) and at its nodes by
/// <paramref name="route"/> (awsrunner's default transport through the fleet's SOCKS5 endpoint, unless told), and what
/// is left of the batch afterwards.
/// </summary>
internal sealed class FleetBatch(SimulatedFleet fleet, string name, Uri? endpoint = null, SshRoute route = SshRoute.Socks) : IDisposable
{
    private static readonly TimeSpan NodeGoneTimeout = TimeSpan.FromSeconds(15);

    private readonly TempFolder folder = new();

    public string Name => name;

    public string JobFile => folder.Combine("code", "jobs.csv");

    public string Output => folder.Combine("output");

    public AwsRunnerCli Cli => field ??= SimulatedFleet.Cli(folder.Combine("h"), folder.Path);

    public string Write(string relative, string content) => folder.Write(relative, content);

    /// <summary>awsrunner dispatch --create --dispatch of the job file, pointed at the fleet.</summary>
    public Task<CliRun> DispatchAsync(params string[] options) => Cli.RunAsync(DispatchArguments(options));

    /// <summary>The same dispatch, returning at once with the running command.</summary>
    public Process StartDispatch(params string[] options) => Cli.Start(DispatchArguments(options));

    /// <summary>What the batch's awsrunner home remembers of it.</summary>
    public BatchRecord? Record => BatchRecords.Load(folder.Combine("h"), name);

    /// <summary>Another verb on the batch (its region, endpoint and SSH options are remembered).</summary>
    public Task<CliRun> RunAsync(string verb, params string[] arguments) => Cli.RunAsync([verb, .. arguments]);

    public async Task<JsonElement> StatusAsync()
    {
        var run = await RunAsync("status", name, "--json");
        Assert.That(run.ExitCode, Is.AnyOf(0, 1, 3), run.ToString());
        return JsonDocument.Parse(run.Output).RootElement;
    }

    public async Task<IReadOnlyList<Ec2Instance>> InstancesAsync() => await fleet.InstancesAsync(name);

    /// <summary>
    /// How many of the jobs' <paramref name="file"/> (in <c>output/</c>) were fetched byte for byte as their node wrote
    /// them, recorded in the <see cref="ReliabilityLedger"/>.
    /// </summary>
    public int CountIntactResults(IReadOnlyDictionary<int, string> instanceOfJob, string file)
    {
        var intact = instanceOfJob.Count(job =>
        {
            var fetched = Path.Combine(Output, $"{job.Key:0000}", "output", file);
            return File.Exists(fetched) && File.ReadAllBytes(fetched).AsSpan().SequenceEqual(File.ReadAllBytes(Kept(job.Value, job.Key, file)));
        });
        ReliabilityLedger.Results(instanceOfJob.Count, intact);
        return intact;
    }

    /// <summary>
    /// A line of a job's script that keeps a copy of its <c>output/FILE</c> in the node's home, by row: a node runs row
    /// after row in one code folder, so the copy, not the folder, is what a row's fetched result is compared with.
    /// </summary>
    public static string KeepCommand(string file) => $"mkdir -p \"$HOME/kept/$AWSRUNNER_INDEX\" && cp output/{file} \"$HOME/kept/$AWSRUNNER_INDEX/\"";

    /// <summary>The copy <see cref="KeepCommand"/> kept of row <paramref name="index"/>'s file on its node.</summary>
    public string Kept(string instance, int index, string file) => Path.Combine(fleet.NodeHome(instance), "kept", index.ToString(System.Globalization.CultureInfo.InvariantCulture), file);

    /// <summary>The instance that runs each job, by job index, from <c>status --json</c>.</summary>
    public static IReadOnlyDictionary<int, string> InstanceOfJob(JsonElement status) =>
        status.GetProperty("jobs").EnumerateArray().ToDictionary(j => j.GetProperty("index").GetInt32(), j => j.GetProperty("instance_id").GetString()!);

    /// <summary>The state of each job, from <c>status --json</c>.</summary>
    public static IReadOnlyList<string?> States(JsonElement status) =>
        status.GetProperty("jobs").EnumerateArray().Select(j => j.GetProperty("state").GetString()).ToList();

    public async Task<IReadOnlyList<Ec2Instance>> WaitTerminatedAsync(TimeSpan timeout, params string[] instanceIds)
    {
        IReadOnlyList<Ec2Instance> instances = [];
        await Eventually.WaitAsync(
            () =>
            {
                instances = InstancesAsync().GetAwaiter().GetResult();
                return instances.Where(i => instanceIds.Length == 0 || instanceIds.Contains(i.InstanceId)).All(i => i.State == "terminated");
            },
            timeout,
            $"the instances of batch {name} to be terminated");
        return instances;
    }

    /// <summary>
    /// What is left of the batch: instances not terminated, and processes of its nodes (which the fleet ends moments
    /// after their instance is terminated). Whatever is found is terminated, so that nothing outlives the test.
    /// </summary>
    public async Task<IReadOnlyList<string>> LeftoversAsync()
    {
        var instances = await InstancesAsync();
        var live = instances.Where(i => i.State != "terminated").Select(i => $"instance {i.InstanceId} ({i.State})").ToList();
        if (live.Count > 0)
        {
            await fleet.Ec2.TerminateInstancesAsync(instances.Where(i => i.State != "terminated").Select(i => i.InstanceId).ToList(), CancellationToken.None);
        }

        var deadline = DateTime.UtcNow + NodeGoneTimeout;
        List<string> processes;
        do
        {
            processes = instances.SelectMany(i => fleet.NodeProcesses(i.InstanceId).Select(pid => $"process {pid} of node {i.InstanceId}")
                .Concat(fleet.SshdRunning(i.InstanceId) ? [$"the sshd of node {i.InstanceId}"] : [])).ToList();
            await Task.Delay(100);
        }
        while (processes.Count > 0 && DateTime.UtcNow < deadline);
        ReliabilityLedger.BatchEnded(live.Count);
        return [.. live, .. processes];
    }

    /// <summary>
    /// Ends a test's batch: terminates what is left of it, shows the fleet's log when the test failed, fails the test
    /// when anything was left, and removes the batch's folder.
    /// </summary>
    public async Task EndAsync()
    {
        try
        {
            var left = await LeftoversAsync();
            if (TestContext.CurrentContext.Result.Outcome.Status == NUnit.Framework.Interfaces.TestStatus.Failed)
            {
                await TestContext.Out.WriteLineAsync("--- the fleet's log\n" + fleet.Log);
            }

            Assert.That(left, Is.Empty, $"batch {name} left these behind");
        }
        finally
        {
            Dispose();
        }
    }

    public void Dispose() => folder.Dispose();

    private string[] DispatchArguments(string[] options) =>
        ["dispatch", SimulatedFleet.Image, name, JobFile, "--create", "--dispatch", "--no-progress", "--ssh-cidr", "127.0.0.1/32", .. fleet.AwsOptionsAt(endpoint ?? fleet.Endpoint, route), .. options];
}
