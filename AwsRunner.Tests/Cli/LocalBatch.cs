using AwsRunner.Sim;
using AwsRunner.Tests.Support;

namespace AwsRunner.Tests.Cli;

/// <summary>A project folder (job file, code, INSTALL.sh) and an awsrunner home, driven through the real CLI on the local cloud.</summary>
internal sealed class LocalBatch : IDisposable
{
    private readonly TempFolder folder = new();

    public LocalBatch()
    {
        Cli = new AwsRunnerCli(folder.Combine("home"), folder.Path);
    }

    public AwsRunnerCli Cli { get; }

    public string Root => folder.Path;

    public string Home => Cli.Home;

    public string Write(string relative, string content) => folder.Write(relative, content);

    public string Path(params string[] parts) => folder.Combine(parts);

    public Task<CliRun> RunAsync(params string[] arguments) => Cli.RunAsync(arguments);

    /// <summary>An object of the batch's local bucket (named as the batch): <c>Object("b", "jobs/0000/status.json")</c>.</summary>
    public string Object(string name, string key) => folder.Combine("home", ".local-cloud", "buckets", name, name, key);

    /// <summary>The runner's folder on the local node of a job: <c>Node("b", 0)</c>.</summary>
    public string Node(string name, int index) => folder.Combine("home", ".local-cloud", "nodes", name, $"{index:D4}", "home", "awsrunner");

    /// <summary>Attempt <paramref name="attempt"/>'s heartbeat in the batch's queue: there once a node runs the row.</summary>
    public string Heartbeat(string name, int row, int attempt = 1) => Object(name, $"queue/rows/{row:D4}/{attempt}.heartbeat.json");

    /// <summary>
    /// The runner's folder of the local node that took row <paramref name="row"/> last (the one whose <c>rows/NNNN/state</c>
    /// was written last), or null while no node has taken it: rows are claimed from the queue, by any node of their
    /// type, and every node makes a folder for each row of its queue.
    /// </summary>
    public string? NodeOfRow(string name, int row)
    {
        var nodes = folder.Combine("home", ".local-cloud", "nodes", name);
        string State(string runner) => System.IO.Path.Combine(runner, "rows", $"{row:D4}", "state");
        return !Directory.Exists(nodes) ? null : Directory.GetDirectories(nodes)
            .Select(n => System.IO.Path.Combine(n, "home", "awsrunner"))
            .Where(r => File.Exists(State(r)))
            .OrderByDescending(r => File.GetLastWriteTimeUtc(State(r)))
            .FirstOrDefault();
    }

    /// <summary>Each job's state, in job order, from <c>status NAME --json</c>.</summary>
    public async Task<IReadOnlyList<string>> StatesAsync(string name)
    {
        var run = await RunAsync("status", name, "--json");
        Assert.That(run.ExitCode, Is.AnyOf(0, 1), run.ToString());
        using var document = System.Text.Json.JsonDocument.Parse(run.Output);
        return document.RootElement.GetProperty("jobs").EnumerateArray().Select(j => j.GetProperty("state").GetString()!).ToList();
    }

    /// <summary>Processes started by local nodes under this home that are still alive.</summary>
    public IReadOnlyList<int> LiveNodeProcesses() => TaggedProcesses.Find("AWSRUNNER_LOCAL_NODE", Home + "/");

    public void Dispose()
    {
        TaggedProcesses.Kill("AWSRUNNER_LOCAL_NODE", Home + "/");
        folder.Dispose();
    }
}
