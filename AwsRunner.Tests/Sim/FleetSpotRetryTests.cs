using System.Diagnostics;
using System.Text.Json;
using AwsRunner.Tests.Support;

namespace AwsRunner.Tests.Sim;

/// <summary>
/// Spot batches on the shared fleet whose instances are taken back (the fleet's interrupt verb: the notice, then the
/// instance terminated two scaled minutes later), followed by <c>dispatch --spot --wait</c>, which runs the rows
/// again on fresh nodes, each attempt at its own prefix, and on demand after <c>--spot-fallback-after</c> of them.
/// </summary>
[TestFixture]
[Parallelizable(ParallelScope.Children)]
[FixtureLifeCycle(LifeCycle.InstancePerTestCase)]
public sealed class FleetSpotRetryTests
{
    private static readonly TimeSpan RunTimeout = TimeSpan.FromSeconds(240);

    // Every attempt writes its number as its result, then waits for its node's release file.
    private const string Work = """
        echo "attempt $AWSRUNNER_ATTEMPT of job $AWSRUNNER_INDEX"
        mkdir -p output
        echo "$AWSRUNNER_ATTEMPT" > output/attempt.txt
        while [ ! -e "$HOME/release" ]; do sleep 0.1; done
        echo "released"
        """;

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
    public async Task SpotBatch_OneNodeInterrupted_WaitRunsThatRowAgainAndEveryRowCompletes_EachAttemptKeptApart()
    {
        batch = new FleetBatch(Fleet, "fleet-spot-retry");
        batch.Write("code/work.sh", Work);
        batch.Write("code/jobs.csv", "instance_type,command\nt3.micro,bash work.sh\nt3.micro,bash work.sh\nc5.large,bash work.sh\n");
        using var dispatch = batch.StartDispatch("--spot", "--wait", "--max-retries", "2");
        var said = Said(dispatch);

        var first = await RunningAsync(dispatch, jobs => jobs.All(j => j.State == "running"));
        var interrupt = await Fleet.InterruptAsync(first[0].InstanceId);
        Assert.That(interrupt.ExitCode, Is.Zero, interrupt.ToString());
        Release(first[1], first[2]);
        var retried = await RunningAsync(dispatch, jobs => jobs[0].Attempt == 2 && jobs[0].State == "running");
        Release(retried[0]);
        var run = await EndAsync(dispatch, said);

        var status = await batch.StatusAsync();
        var job = status.GetProperty("jobs")[0];
        var fetch = await batch.RunAsync("fetch", batch.Name, batch.Output);
        Assert.Multiple(() =>
        {
            Assert.That(run.ExitCode, Is.Zero, run.Output + run.Error);
            Assert.That(FleetBatch.States(status), Is.All.EqualTo("done"));
            Assert.That(job.GetProperty("attempt").GetInt32(), Is.EqualTo(2));
            Assert.That(job.GetProperty("earlier_attempts")[0].GetProperty("instance_id").GetString(), Is.EqualTo(first[0].InstanceId));
            Assert.That(job.GetProperty("instance_id").GetString(), Is.Not.EqualTo(first[0].InstanceId), "a fresh node");
            Assert.That(fetch.ExitCode, Is.Zero, fetch.ToString());
            Assert.That(File.ReadAllText(Path.Combine(batch.Output, "0000", "output", "attempt.txt")), Is.EqualTo("2\n"), "the retried attempt is the row's result");
            Assert.That(File.ReadAllText(Path.Combine(batch.Output, "0000", "job.log")), Is.EqualTo("attempt 2 of job 0\nreleased\n"));
            Assert.That(File.ReadAllText(Path.Combine(batch.Output, "0001", "output", "attempt.txt")), Is.EqualTo("1\n"));
            Assert.That(Directory.Exists(Path.Combine(batch.Output, "0001", "attempt-1")), Is.False, "a row run once is fetched as before");
        });

        // What the interrupted attempt left: its node's runner uploads its log and results on EC2's notice.
        Assert.Multiple(() =>
        {
            Assert.That(job.GetProperty("earlier_attempts")[0].GetProperty("state").GetString(), Is.EqualTo("preempted"));
            Assert.That(Path.Combine(batch.Output, "0000", "attempt-1", "job.log"), Does.Exist);
            Assert.That(File.ReadAllText(Path.Combine(batch.Output, "0000", "attempt-1", "job.log")), Does.StartWith("attempt 1 of job 0\n"));
            Assert.That(Path.Combine(batch.Output, "0000", "attempt-1", "output", "attempt.txt"), Does.Exist, "the partial results");
        });
    }

    [Test]
    public async Task SpotRow_InterruptedAsOftenAsTheFallbackAllows_FinishesOnDemand()
    {
        batch = new FleetBatch(Fleet, "fleet-spot-fallback");
        batch.Write("code/work.sh", Work);
        batch.Write("code/jobs.csv", "instance_type,command\nt3.micro,bash work.sh\n");
        using var dispatch = batch.StartDispatch("--spot", "--wait", "--max-retries", "3", "--spot-fallback-after", "2");
        var said = Said(dispatch);

        var interrupted = new List<string>();
        for (var attempt = 1; attempt <= 2; attempt++)
        {
            var expected = attempt;
            var jobs = await RunningAsync(dispatch, jobs => jobs[0].Attempt == expected && jobs[0].State == "running");
            var interrupt = await Fleet.InterruptAsync(jobs[0].InstanceId);
            Assert.That(interrupt.ExitCode, Is.Zero, $"attempt {attempt} runs on spot: {interrupt}");
            interrupted.Add(jobs[0].InstanceId);
        }

        var last = await RunningAsync(dispatch, jobs => jobs[0].Attempt == 3 && jobs[0].State == "running");
        var instance = (await batch.InstancesAsync()).Single(i => i.InstanceId == last[0].InstanceId);
        Release(last[0]);
        var run = await EndAsync(dispatch, said);
        var status = await batch.StatusAsync();

        Assert.Multiple(() =>
        {
            Assert.That(instance.Lifecycle, Is.Not.EqualTo("spot"), "the third attempt runs on demand");
            Assert.That(run.ExitCode, Is.Zero, run.Output + run.Error);
            Assert.That(FleetBatch.States(status), Is.EqualTo(new[] { "done" }));
            Assert.That(status.GetProperty("jobs")[0].GetProperty("earlier_attempts").EnumerateArray().Select(a => a.GetProperty("instance_id").GetString()),
                Is.EqualTo(interrupted));
            Assert.That(run.Output, Does.Contain("0000: attempt 3; attempt 1 "), "the final table says so");
        });
    }

    private sealed record Job(string State, int Attempt, string InstanceId);

    /// <summary>The jobs, once they are as <paramref name="wanted"/> says; fails when the dispatch ended first.</summary>
    private async Task<IReadOnlyList<Job>> RunningAsync(Process dispatch, Func<IReadOnlyList<Job>, bool> wanted)
    {
        IReadOnlyList<Job> jobs = [];
        await Eventually.WaitAsync(
            () =>
            {
                Assert.That(dispatch.HasExited, Is.False, "the dispatch ended early");
                // Until the dispatch has saved its record and manifest, status has no batch to read.
                var run = batch!.RunAsync("status", batch.Name, "--json").GetAwaiter().GetResult();
                if (!run.Output.TrimStart().StartsWith('{'))
                {
                    return false;
                }

                jobs = JsonDocument.Parse(run.Output).RootElement.GetProperty("jobs").EnumerateArray()
                    .Select(j => new Job(j.GetProperty("state").GetString()!, j.GetProperty("attempt").GetInt32(), j.GetProperty("instance_id").GetString() ?? ""))
                    .ToList();
                return wanted(jobs);
            },
            RunTimeout,
            $"the jobs of {batch!.Name} to be as wanted");
        return jobs;
    }

    private static void Release(params Job[] jobs)
    {
        foreach (var job in jobs)
        {
            File.WriteAllText(Path.Combine(Fleet.NodeHome(job.InstanceId), "release"), "");
        }
    }

    // Read from the start, so that a long wait never fills the pipe and stalls the command.
    private static (Task<string> Output, Task<string> Error) Said(Process dispatch) =>
        (dispatch.StandardOutput.ReadToEndAsync(), dispatch.StandardError.ReadToEndAsync());

    private static async Task<(int ExitCode, string Output, string Error)> EndAsync(Process dispatch, (Task<string> Output, Task<string> Error) said)
    {
        using var timeout = new CancellationTokenSource(RunTimeout);
        await dispatch.WaitForExitAsync(timeout.Token);
        return (dispatch.ExitCode, await said.Output, await said.Error);
    }
}
