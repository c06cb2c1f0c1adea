using System.Diagnostics;
using System.Formats.Tar;
using System.IO.Compression;
using AwsRunner.Core.Cloud;
using AwsRunner.Core.Dispatch;
using AwsRunner.Core.Node;
using AwsRunner.Sim;
using AwsRunner.Tests.Support;

namespace AwsRunner.Tests.Node;

/// <summary>
/// A node home in a temp folder with the embedded runner, a code folder and a bucket folder reached by file:// URLs,
/// so the runner's real paths (curl PUTs included) run. Power-off only leaves a mark.
/// </summary>
internal sealed class RunnerNode : IDisposable
{
    private const string Tag = "AWSRUNNER_TEST_NODE";
    private readonly TempFolder folder = new();

    public RunnerNode()
    {
        Directory.CreateDirectory(Code);
        Directory.CreateDirectory(JobObjects);
        Directory.CreateDirectory(Runner);
        File.WriteAllText(Path.Combine(Runner, "runner.sh"), NodeRunnerScript.Content);
        WriteNodeEnv(new NodeEnvFile().Set("AWSRUNNER_POWEROFF", "touch " + ShellQuote.Quote(PoweredOffMark)));
    }

    public string Home => folder.Combine("home");

    public string Runner => Path.Combine(Home, "awsrunner");

    public string Code => Path.Combine(Home, "code");

    public string Bucket => folder.Combine("bucket");

    public string JobObjects => Path.Combine(Bucket, "jobs", "0003");

    public string PoweredOffMark => folder.Combine("powered-off");

    public bool PoweredOff => File.Exists(PoweredOffMark);

    /// <summary>
    /// Runs the runner, when this process is root, without the capabilities that let root read any file, so that a
    /// file made unreadable is unreadable to it as it is to the ordinary user a node runs as.
    /// </summary>
    public bool WithoutRootsFileAccess { get; set; }

    public string State => File.Exists(Path.Combine(Runner, "state")) ? File.ReadAllText(Path.Combine(Runner, "state")).Trim() : "none";

    public void WriteNodeEnv(NodeEnvFile env) => File.WriteAllText(Path.Combine(Runner, "node.env"), env.ToString());

    public void WriteInstallScript(string text) => File.WriteAllText(Path.Combine(Runner, "INSTALL.sh"), text);

    /// <summary>Writes job.env and urls.env as the dispatcher would, with overrides for the runner's settings.</summary>
    public void WriteJob(string command, IEnumerable<KeyValuePair<string, string>>? variables = null, Action<NodeEnvFile>? settings = null, string? objects = null)
    {
        File.WriteAllText(Path.Combine(Runner, NodeRunnerScript.JobEnvFile), JobEnv(command, settings));
        File.WriteAllText(Path.Combine(Runner, NodeVariables.VariablesFile), NodeVariables.Format(variables ?? []));
        WriteUrls(objects ?? JobObjects);
    }

    /// <summary>The job.env the dispatcher would write, with overrides for the runner's settings.</summary>
    public static string JobEnv(string command, Action<NodeEnvFile>? settings = null)
    {
        var env = new NodeEnvFile().Export("AWSRUNNER_JOB", "unit").Export("AWSRUNNER_INDEX", "3");
        env.Set("AWSRUNNER_COMMAND", command)
            .Set("AWSRUNNER_RESULTS", "output")
            .Set("AWSRUNNER_HEARTBEAT_SECONDS", "1");
        settings?.Invoke(env);
        return env.ToString();
    }

    /// <summary>Writes the secrets file as the dispatcher would: readable by the job's user only.</summary>
    public void WriteSecrets(IEnumerable<KeyValuePair<string, string>> secrets)
    {
        var path = Path.Combine(Runner, "secrets");
        File.WriteAllText(path, NodeVariables.Format(secrets));
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }

    /// <summary>Writes urls.env: the job's objects into <paramref name="objects"/>, its heartbeat into <paramref name="heartbeats"/> (default the same).</summary>
    public void WriteUrls(string objects, string? heartbeats = null) =>
        File.WriteAllText(Path.Combine(Runner, NodeRunnerScript.UrlsEnvFile), Urls(objects, heartbeats));

    /// <summary>The urls.env for file:// URLs into these folders.</summary>
    public static string Urls(string objects, string? heartbeats = null)
    {
        static Uri Url(string folder, string name) => new(Path.Combine(folder, name));
        return JobEnvironment.UrlsFor(new JobUploadUrls(
            Url(heartbeats ?? objects, "heartbeat.json"), Url(objects, "status.json"), Url(objects, "job.log"), Url(objects, "results.tar.gz"))
        {
            ResultParts = Enumerable.Range(1, Core.Defaults.ResultParts).Select(part => Url(objects, ResultKeys.ResultPart(part))).ToList(),
        });
    }

    public Task<ShellResult> RunnerAsync(params string[] arguments) => ShellAsync(NodeRunnerScript.Command(arguments));

    /// <summary>Arms the dead man's switch as create does: at an absolute time, here this long from now.</summary>
    public Task<ShellResult> ArmAsync(TimeSpan after) =>
        RunnerAsync("arm", (DateTimeOffset.UtcNow + after).ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>Runs a command in the node's home as the dispatcher's shell would, with <paramref name="input"/> on its stdin.</summary>
    public async Task<ShellResult> ShellAsync(string command, Stream? input = null)
    {
        var start = WithoutRootsFileAccess && Environment.IsPrivilegedProcess
            ? new ProcessStartInfo("setpriv", ["--inh-caps=-dac_override,-dac_read_search", "--bounding-set=-dac_override,-dac_read_search", "bash", "-c", command])
            : new ProcessStartInfo("bash", ["-c", command]);
        start.WorkingDirectory = Home;
        start.Environment["HOME"] = Home;
        start.Environment[Tag] = folder.Path;
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.RedirectStandardInput = true;
        using var process = Process.Start(start)!;
        if (input is not null)
        {
            await input.CopyToAsync(process.StandardInput.BaseStream);
        }

        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return new ShellResult(process.ExitCode, await output, await error);
    }

    public Task WaitForStateAsync(string state, TimeSpan? timeout = null) =>
        Eventually.WaitAsync(() => State, s => s == state, timeout ?? TimeSpan.FromSeconds(20), $"node state {state}");

    public Task WaitPoweredOffAsync(TimeSpan? timeout = null) =>
        Eventually.WaitAsync(() => PoweredOff, timeout ?? TimeSpan.FromSeconds(20), "power-off");

    public string ReadObject(string name) => File.ReadAllText(Path.Combine(JobObjects, name));

    public IReadOnlyDictionary<string, string> ResultEntries() => ArchiveEntries(File.ReadAllBytes(Path.Combine(JobObjects, "results.tar.gz")));

    /// <summary>The text of each file of a results archive.</summary>
    public static IReadOnlyDictionary<string, string> ArchiveEntries(byte[] archive)
    {
        using var file = new MemoryStream(archive);
        using var gzip = new GZipStream(file, CompressionMode.Decompress);
        using var tar = new TarReader(gzip);
        var entries = new Dictionary<string, string>();
        while (tar.GetNextEntry() is { } entry)
        {
            if (entry.DataStream is { } data)
            {
                using var reader = new StreamReader(data);
                entries[entry.Name] = reader.ReadToEnd();
            }
        }

        return entries;
    }

    public IReadOnlyList<int> LiveProcesses() => TaggedProcesses.Find(Tag, folder.Path);

    public void Dispose()
    {
        TaggedProcesses.Kill(Tag, folder.Path);
        folder.Dispose();
    }
}
