using System.Diagnostics;
using System.Formats.Tar;
using System.Globalization;
using System.IO.Compression;
using System.Text;
using AwsRunner.Core.Cloud;
using AwsRunner.Core.Dispatch;
using AwsRunner.Core.Jobs;
using AwsRunner.Core.Node;
using AwsRunner.Core.Queue;
using AwsRunner.Sim;
using AwsRunner.Tests.Support;

namespace AwsRunner.Tests.Node;

/// <summary>
/// A node home in a temp folder with the embedded runner, a code folder and a bucket folder reached by file:// URLs,
/// so the runner's real paths run. Its work is a queue written the way the queue contract says (a shard of rows,
/// work.env, queue.env), for one row or many; several nodes may share one bucket. Power-off only leaves a mark.
/// </summary>
internal sealed class RunnerNode : IDisposable
{
    /// <summary>The batch's name in the tests.</summary>
    public const string Batch = "unit";

    /// <summary>The instance type every test queue is of.</summary>
    public const string Type = "t3.micro";

    /// <summary>The row a one-row queue holds.</summary>
    public const int Row = 3;

    private const string Tag = "AWSRUNNER_TEST_NODE";
    private readonly TempFolder folder = new();

    /// <summary>A node with a bucket of its own, or sharing <paramref name="bucket"/> with other nodes.</summary>
    public RunnerNode(string? bucket = null, string id = "i-0test")
    {
        Id = id;
        Bucket = bucket ?? folder.Combine("bucket");
        Directory.CreateDirectory(Code);
        Directory.CreateDirectory(Bucket);
        Directory.CreateDirectory(Runner);
        File.WriteAllText(Path.Combine(Runner, "runner.sh"), NodeRunnerScript.Content);
        WriteNodeEnv(new NodeEnvFile().Set("AWSRUNNER_POWEROFF", "touch " + ShellQuote.Quote(PoweredOffMark)));
    }

    /// <summary>The node's instance id (its claims and part keys carry it).</summary>
    public string Id { get; }

    public string Home => folder.Combine("home");

    public string Runner => Path.Combine(Home, "awsrunner");

    public string Code => Path.Combine(Home, "code");

    /// <summary>The bucket's folder (the batch's objects are under <see cref="Batch"/>/ in it).</summary>
    public string Bucket { get; }

    /// <summary>Where the one-row queue's row puts its first attempt's results, log and status.</summary>
    public string JobObjects => Jobs(Row);

    /// <summary>The queue's claims, heartbeats and .done markers: NAME/queue/rows/.</summary>
    public string QueueRows => Path.Combine(Bucket, Batch, "queue", "rows");

    /// <summary>This node's result parts: NAME/parts/NODEID/.</summary>
    public string Parts => Path.Combine(Bucket, Batch, "parts", Id);

    public string PoweredOffMark => folder.Combine("powered-off");

    public bool PoweredOff => File.Exists(PoweredOffMark);

    /// <summary>
    /// Runs the runner, when this process is root, without the capabilities that let root read any file, so that a
    /// file made unreadable is unreadable to it as it is to the ordinary user a node runs as.
    /// </summary>
    public bool WithoutRootsFileAccess { get; set; }

    /// <summary>The node's state (installing, ready, then its work's).</summary>
    public string State => ReadWord(Path.Combine(Runner, "state"));

    /// <summary>A row's folder on the node.</summary>
    public string RowFolder(int index = Row) => Path.Combine(Runner, "rows", JobIndex.Format(index));

    /// <summary>A row's state on the node, as its last attempt here left it.</summary>
    public string RowState(int index = Row) => ReadWord(Path.Combine(RowFolder(index), "state"));

    /// <summary>An attempt's folder of objects in the bucket: jobs/0003/, or jobs/0003/attempt-2/.</summary>
    public string Jobs(int index, int attempt = 1)
    {
        var first = Path.Combine(Bucket, Batch, "jobs", JobIndex.Format(index));
        return attempt > 1 ? Path.Combine(first, $"attempt-{attempt}") : first;
    }

    /// <summary>An object of the queue's rows folder: the claim, heartbeat.json or .done of an attempt.</summary>
    public string QueueObject(int index, int attempt, string kind) => Path.Combine(QueueRows, JobIndex.Format(index), $"{attempt}.{kind}");

    /// <summary>An attempt's .done line, or null before it ended.</summary>
    public string? Done(int index = Row, int attempt = 1) =>
        File.Exists(QueueObject(index, attempt, "done")) ? File.ReadAllText(QueueObject(index, attempt, "done")).TrimEnd('\n') : null;

    public void WriteNodeEnv(NodeEnvFile env) => File.WriteAllText(Path.Combine(Runner, "node.env"), env.ToString());

    public void WriteInstallScript(string text) => File.WriteAllText(Path.Combine(Runner, "INSTALL.sh"), text);

    /// <summary>A queue of one row (row 3), as <see cref="WriteQueue"/> writes it.</summary>
    public void WriteJob(string command, IEnumerable<KeyValuePair<string, string>>? variables = null, Action<NodeEnvFile>? settings = null, string? objects = null) =>
        WriteQueue([new QueueRow(Row, command) { Variables = variables?.ToList() ?? [], Objects = objects }], settings);

    /// <summary>
    /// Writes the node's work the way the queue contract says: the type's shard in the bucket (a file per row: its
    /// command, variables and each attempt's URLs, and the index), work.env (with <paramref name="settings"/> after the defaults) and
    /// queue.env (the shard, the one LIST of the local bucket, <paramref name="parts"/> part URLs). The folders the
    /// local bucket makes for the URLs it hands out are made too.
    /// </summary>
    public void WriteQueue(IReadOnlyList<QueueRow> rows, Action<NodeEnvFile>? settings = null, int parts = 20, string? partsFolder = null)
    {
        var shard = Path.Combine(Bucket, Batch, "queue", Type, "shard-00000.tar.gz");
        Directory.CreateDirectory(Path.GetDirectoryName(shard)!);
        File.WriteAllBytes(shard, Shard(rows, (key, attempt) => FileUrl(key)));
        foreach (var row in rows)
        {
            Directory.CreateDirectory(Path.Combine(QueueRows, JobIndex.Format(row.Index)));
            foreach (var attempt in row.Attempts.Where(_ => row.Objects is null))
            {
                Directory.CreateDirectory(Jobs(row.Index, attempt));
            }
        }

        var partUrls = partsFolder ?? Parts;
        if (partsFolder is null)
        {
            Directory.CreateDirectory(Parts);
        }

        File.WriteAllText(Path.Combine(Runner, NodeRunnerScript.WorkEnvFile), WorkEnv(settings));
        var queue = new NodeEnvFile()
            .Set("AWSRUNNER_SHARDS", "1").Set("AWSRUNNER_SHARD_1", Url(shard))
            .Set("AWSRUNNER_LISTS", "1").Set("AWSRUNNER_LIST_1", Url(QueueRows) + "/")
            .Set("AWSRUNNER_PARTS", parts.ToString(CultureInfo.InvariantCulture));
        for (var part = 1; part <= parts; part++)
        {
            queue.Set($"AWSRUNNER_URL_PART_{part}", Url(Path.Combine(partUrls, part.ToString("D5", CultureInfo.InvariantCulture))));
        }

        File.WriteAllText(Path.Combine(Runner, NodeRunnerScript.QueueEnvFile), queue.ToString());

        string FileUrl(string key) => Url(ObjectPath(rows, key));
    }

    /// <summary>A shard of these rows, each attempt's URLs from <paramref name="url"/> (the object's key and the attempt).</summary>
    public static byte[] Shard(IEnumerable<QueueRow> rows, Func<string, int, string> url)
    {
        using var file = new MemoryStream();
        using (var gzip = new GZipStream(file, CompressionLevel.Fastest, leaveOpen: true))
        using (var tar = new TarWriter(gzip, TarEntryFormat.Pax))
        {
            var index = new StringBuilder();
            foreach (var row in rows)
            {
                var name = JobIndex.Format(row.Index);
                var attempts = row.Attempts.Select(attempt =>
                {
                    var jobs = $"{Batch}/jobs/{name}/" + (attempt > 1 ? $"attempt-{attempt}/" : "");
                    var rowKeys = $"{Batch}/queue/rows/{name}/{attempt}.";
                    return (attempt, new NodeEnvFile()
                        .Set("AWSRUNNER_URL_CLAIM", url(rowKeys + "claim", attempt))
                        .Set("AWSRUNNER_URL_HEARTBEAT", url(rowKeys + "heartbeat.json", attempt))
                        .Set("AWSRUNNER_URL_DONE", url(rowKeys + "done", attempt))
                        .Set("AWSRUNNER_URL_STATUS", url(jobs + ResultKeys.Status, attempt))
                        .Set("AWSRUNNER_URL_LOG", url(jobs + ResultKeys.Log, attempt))
                        .Set("AWSRUNNER_URL_RESULTS", url(jobs + ResultKeys.Results, attempt))
                        .ToString());
                });
                Entry(tar, name, ShardArchive.RowText(row.Command, row.Variables, attempts));
                index.Append(ShardArchive.IndexLine(row.Index, row.Attempts));
            }

            Entry(tar, QueueLayout.IndexFile, index.ToString());
        }

        return file.ToArray();
    }

    /// <summary>work.env as the dispatch writes it for this node, with overrides.</summary>
    public string WorkEnv(Action<NodeEnvFile>? settings = null)
    {
        var env = new NodeEnvFile()
            .Export("AWSRUNNER_JOB", Batch)
            .Set("AWSRUNNER_NODE", Id)
            .Set("AWSRUNNER_TYPE", Type)
            .Set("AWSRUNNER_SLOTS", "1")
            .Set("AWSRUNNER_FIRST", "0")
            .Set("AWSRUNNER_HEARTBEAT_SECONDS", "1")
            .Set("AWSRUNNER_LEASE_SECONDS", "190")
            .Set("AWSRUNNER_IDLE_SECONDS", "0")
            .Set("AWSRUNNER_RETRY_ON_EXIT", "")
            .Set("AWSRUNNER_RETRY_STATES", JobState.Preempted.ToName())
            .Set("AWSRUNNER_SPOT", "0")
            .Set("AWSRUNNER_RESULTS", "output")
            .Set("AWSRUNNER_TIMEOUT_SECONDS", "0")
            .Set("AWSRUNNER_UPLOAD_GRACE_SECONDS", "1800")
            .Set("AWSRUNNER_RESULTS_PART_BYTES", Core.Defaults.ResultPartSize.ToString(CultureInfo.InvariantCulture));
        settings?.Invoke(env);
        return env.ToString();
    }

    /// <summary>The urls.env a row's attempt has on the node, its objects (not its queue objects) in <paramref name="objects"/>.</summary>
    public string RowUrls(int index, int attempt, string objects)
    {
        var rows = $"{Batch}/queue/rows/{JobIndex.Format(index)}/{attempt}.";
        return new NodeEnvFile()
            .Set("AWSRUNNER_URL_CLAIM", Url(Path.Combine(Bucket, rows + "claim")))
            .Set("AWSRUNNER_URL_HEARTBEAT", Url(Path.Combine(Bucket, rows + "heartbeat.json")))
            .Set("AWSRUNNER_URL_DONE", Url(Path.Combine(Bucket, rows + "done")))
            .Set("AWSRUNNER_URL_STATUS", Url(Path.Combine(objects, ResultKeys.Status)))
            .Set("AWSRUNNER_URL_LOG", Url(Path.Combine(objects, ResultKeys.Log)))
            .Set("AWSRUNNER_URL_RESULTS", Url(Path.Combine(objects, ResultKeys.Results)))
            .ToString();
    }

    /// <summary>Leaves an attempt's objects in the queue as another node would have: a claim, a heartbeat, a .done, each this old.</summary>
    public void Leave(int index, int attempt, string kind, string content = "", TimeSpan? age = null)
    {
        var path = QueueObject(index, attempt, kind);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
        File.SetLastWriteTimeUtc(path, DateTime.UtcNow - (age ?? TimeSpan.Zero));
    }

    /// <summary>Writes the secrets file as the dispatcher would: readable by the job's user only.</summary>
    public void WriteSecrets(IEnumerable<KeyValuePair<string, string>> secrets)
    {
        var path = Path.Combine(Runner, NodeVariables.SecretsFile);
        File.WriteAllText(path, NodeVariables.Format(secrets));
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }

    public Task<ShellResult> RunnerAsync(params string[] arguments) => ShellAsync(NodeRunnerScript.Command(arguments));

    /// <summary>Starts the work step as the dispatch does.</summary>
    public Task<ShellResult> StartWorkAsync() => RunnerAsync("start", "work");

    /// <summary>Installs (no bundle, the code folder as it is) and waits for the node to be ready.</summary>
    public async Task InstallAsync()
    {
        var started = await RunnerAsync("start", "install");
        Assert.That(started.ExitCode, Is.Zero, started.Error);
        await WaitForStateAsync("ready");
    }

    /// <summary>Arms the dead man's switch as create does: at an absolute time, here this long from now.</summary>
    public Task<ShellResult> ArmAsync(TimeSpan after) =>
        RunnerAsync("arm", (DateTimeOffset.UtcNow + after).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture));

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

    public Task WaitForRowStateAsync(string state, int index = Row, TimeSpan? timeout = null) =>
        Eventually.WaitAsync(() => RowState(index), s => s == state, timeout ?? TimeSpan.FromSeconds(20), $"row {index} state {state}");

    public Task WaitPoweredOffAsync(TimeSpan? timeout = null) =>
        Eventually.WaitAsync(() => PoweredOff, timeout ?? TimeSpan.FromSeconds(20), "power-off");

    /// <summary>Waits until the row's job.log on the node holds <paramref name="text"/>.</summary>
    public Task WaitForLogAsync(string text, int index = Row, TimeSpan? timeout = null)
    {
        var log = Path.Combine(RowFolder(index), "job.log");
        return Eventually.WaitAsync(
            () => File.Exists(log) && File.ReadAllText(log).Contains(text, StringComparison.Ordinal), timeout ?? TimeSpan.FromSeconds(20), $"\"{text}\" in row {index}'s log");
    }

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

    private static string Url(string path) => new Uri(path).AbsoluteUri;

    private static string ReadWord(string file) => File.Exists(file) ? File.ReadAllText(file).Trim() : "none";

    private static void Entry(TarWriter tar, string name, string text)
    {
        using var data = new MemoryStream(Encoding.UTF8.GetBytes(text));
        tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = data });
    }

    // A key's file in the bucket folder: a row's objects go to its Objects folder when it has one.
    private string ObjectPath(IReadOnlyList<QueueRow> rows, string key)
    {
        var name = Path.GetFileName(key);
        var row = rows.FirstOrDefault(r => key.Contains($"/jobs/{JobIndex.Format(r.Index)}/", StringComparison.Ordinal));
        return row?.Objects is { } objects ? Path.Combine(objects, name) : Path.Combine(Bucket, key);
    }
}
