using System.Threading.Channels;
using AwsRunner.Core.Cloud;
using AwsRunner.Core.Ledger;
using Microsoft.Extensions.Logging;

namespace AwsRunner.Core.Dispatch;

/// <summary>
/// One batch, with its name, bucket and ledger resolved once: what <see cref="BatchRunner.DispatchAsync"/> and
/// <see cref="BatchRunner.OpenAsync"/> give back. Every verb of a batch after the dispatch is a method here.
/// </summary>
public sealed class Batch
{
    private readonly ILoggerFactory loggers;

    internal Batch(CloudConnection connection, string home, ILoggerFactory loggers, TimeProvider time, BatchLedger ledger, DispatchRound? dispatch)
    {
        Connection = connection;
        Home = home;
        this.loggers = loggers;
        Time = time;
        Ledger = ledger;
        Dispatch = dispatch;
    }

    /// <summary>The batch's NAME.</summary>
    public string Name => Ledger.Name;

    /// <summary>Its bucket.</summary>
    public string Bucket => Ledger.Bucket;

    /// <summary>Its cloud (<c>local</c> or <c>aws</c>).</summary>
    public string Cloud => Ledger.Document.Cloud;

    /// <summary>What the dispatch that gave this handle did; null for a batch opened by name.</summary>
    public DispatchResult? Dispatched { get; internal init; }

    internal CloudConnection Connection { get; }

    internal string Home { get; }

    internal TimeProvider Time { get; }

    internal BatchLedger Ledger { get; }

    /// <summary>The dispatch this process ran, whose options and secrets a wait's retries use; null for a batch opened by name.</summary>
    internal DispatchRound? Dispatch { get; }

    /// <summary>
    /// Where every job of the batch stands. Instances that outstayed the batch (<see cref="BatchStatus.Overstaying"/>)
    /// are terminated.
    /// </summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The status.</returns>
    public async Task<BatchStatus> GetStatusAsync(CancellationToken cancellationToken = default)
    {
        await Ledger.RefreshAsync(cancellationToken).ConfigureAwait(false);
        return await Teardown().EndOverstayingAsync(
            await new StatusReader(Connection, Home).ReadAsync(Ledger, cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Waits until no job of the batch will change state on its own, or the batch is taken down
    /// (<see cref="BatchStatus.TakenDownAt"/>). Instances that outstay the batch are terminated meanwhile. For a batch
    /// this process dispatched, rows worth another attempt run again on fresh nodes, as
    /// <see cref="DispatchOptions.MaxRetries"/>, <see cref="DispatchOptions.RetryOnExit"/> and
    /// <see cref="DispatchOptions.SpotFallbackAfter"/> say, from the ledger and the batch's own code bundle; a node
    /// hung for long is terminated and its row retried.
    /// </summary>
    /// <param name="progress">Told the status after every look.</param>
    /// <param name="nodes">Told each time a retried job's node changes state.</param>
    /// <param name="interval">How often to look; the dispatch's <see cref="DispatchOptions.PollInterval"/> when null, or for a batch opened by name 2 s on the local cloud and 10 s on AWS.</param>
    /// <param name="cancellationToken">Stops waiting; what runs goes on.</param>
    /// <returns>The final status.</returns>
    public Task<BatchStatus> WaitAsync(
        IProgress<BatchStatus>? progress = null, IProgress<NodeProgress>? nodes = null, TimeSpan? interval = null, CancellationToken cancellationToken = default) =>
        new BatchWait(this).RunAsync(progress, nodes, interval, cancellationToken);

    /// <summary>
    /// Downloads every finished job's status, log and results into <c>OUT/0007/</c>; skips what is already there. A
    /// retried job's current attempt replaces what an earlier fetch brought of another; earlier attempts go to
    /// <c>OUT/0007/attempt-K/</c>.
    /// </summary>
    /// <param name="outputDirectory">The folder to fill.</param>
    /// <param name="options">Limits on what the nodes uploaded; the defaults when null.</param>
    /// <param name="cancellationToken">Stops the download; a later fetch resumes.</param>
    /// <returns>
    /// What was fetched and which jobs failed or are missing; a job whose upload broke a rule is in
    /// <see cref="FetchResult.NotFetched"/> and the others are fetched all the same.
    /// </returns>
    public Task<FetchResult> FetchAsync(string outputDirectory, FetchOptions? options = null, CancellationToken cancellationToken = default) =>
        new ResultFetcher(Connection).FetchAsync(Ledger, outputDirectory, options ?? new FetchOptions(), cancellationToken);

    /// <summary>
    /// Merges the results of every fetched job (a CSV, a JSON object or array of objects, or JSON lines) into one CSV
    /// table, each row led by the batch, the job's index and its job-file columns; no column is written twice. Jobs
    /// whose results cannot be read, or whose CSV header differs from the first one, are left out and reported.
    /// </summary>
    /// <param name="outputDirectory">The folder a fetch filled.</param>
    /// <param name="mergedFile">The CSV to write.</param>
    /// <param name="source">
    /// The file within each job's folder (such as <c>output/results.csv</c>; <c>.json</c>, <c>.jsonl</c> and
    /// <c>.ndjson</c> are read as JSON); when null, each job's only CSV, else its only JSON file.
    /// </param>
    /// <returns>What was merged and what was left out; when no job could be merged, the table is not written.</returns>
    public MergeResult Merge(string outputDirectory, string mergedFile, string? source = null) =>
        ResultMerger.Merge(Ledger.Document, outputDirectory, mergedFile, source);

    /// <summary>
    /// Terminates whatever of the batch still runs, without asking (<see cref="FindRunningJobsAsync"/> says what that
    /// would stop), and removes what it created; results stay unless asked. The ledger records that the batch is down
    /// first, so that a dispatcher waiting on it stops and relaunches nothing.
    /// </summary>
    /// <param name="deleteResults">
    /// Also delete the batch's results (its prefix) from the bucket, and the bucket itself when awsrunner created it
    /// and that leaves it empty.
    /// </param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>What was removed.</returns>
    public Task<DownResult> DownAsync(bool deleteResults = false, CancellationToken cancellationToken = default) =>
        Teardown().DownAsync(Name, Bucket, Ledger, deleteResults, cancellationToken);

    /// <summary>
    /// The jobs that <see cref="DownAsync"/> would stop in their work: queued, running, uploading, hung, or holding
    /// results they could not upload, on a node that is still up. A caller asks before it takes such a batch down.
    /// </summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>Their indexes, in order; empty when down would stop nothing at work.</returns>
    public async Task<IReadOnlyList<int>> FindRunningJobsAsync(CancellationToken cancellationToken = default)
    {
        await Ledger.RefreshAsync(cancellationToken).ConfigureAwait(false);
        return await Teardown().RunningJobsAsync(Ledger, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Opens a shell on the running node of one job, or runs a command there, on this process's terminal (standard
    /// input, output and error); waits for a node that is still booting.
    /// </summary>
    /// <param name="index">The job's index.</param>
    /// <param name="command">A bash command line to run in the node's home folder; an interactive shell when null.</param>
    /// <param name="cancellationToken">Ends the session.</param>
    /// <returns>The exit code of the command or shell.</returns>
    /// <exception cref="InvalidInputException">There is no such job.</exception>
    /// <exception cref="CloudException">The job's node is not running, or cannot be reached.</exception>
    public async Task<int> AttachAsync(int index, string? command, CancellationToken cancellationToken = default)
    {
        var node = await ReachAsync(index, cancellationToken).ConfigureAwait(false);
        return await Connection.Shell.AttachAsync(node, command, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Copies a file or a folder from this machine to the node of one job, as <c>scp -r</c> would: into
    /// <paramref name="remotePath"/> when that is a folder that exists, else as it.
    /// </summary>
    /// <param name="index">The job's index.</param>
    /// <param name="localPath">The file or folder on this machine.</param>
    /// <param name="remotePath">Where on the node: relative to the job's code folder (<c>~/code</c>), or <c>~/...</c>, or absolute; the code folder when null.</param>
    /// <param name="progress">Told how far each file has come.</param>
    /// <param name="cancellationToken">Stops the copy.</param>
    /// <returns>A task that completes when the copy is complete.</returns>
    /// <exception cref="InvalidInputException">There is no such file or job.</exception>
    /// <exception cref="CloudException">The job's node is gone (its results are fetched from the bucket), cannot be reached, or refused the copy.</exception>
    public async Task PutAsync(int index, string localPath, string? remotePath = null, IProgress<CopyProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        if (!File.Exists(localPath) && !Directory.Exists(localPath))
        {
            throw new InvalidInputException("Path", $"{localPath}: no such file or folder");
        }

        var node = await ReachAsync(index, cancellationToken).ConfigureAwait(false);
        await Connection.Shell.CopyToNodeAsync(node, Path.GetFullPath(localPath), JobPath.OnNode(remotePath), progress, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Copies a file or a folder from the node of one job to this machine, as <c>scp -r</c> would: into
    /// <paramref name="localPath"/> when that is a folder that exists, else as it.
    /// </summary>
    /// <param name="index">The job's index.</param>
    /// <param name="remotePath">The file or folder on the node: relative to the job's code folder (<c>~/code</c>), or <c>~/...</c>, or absolute.</param>
    /// <param name="localPath">Where on this machine; the current folder when null.</param>
    /// <param name="progress">Told how far each file has come.</param>
    /// <param name="cancellationToken">Stops the copy.</param>
    /// <returns>A task that completes when the copy is complete.</returns>
    /// <exception cref="InvalidInputException">There is no such job or local folder.</exception>
    /// <exception cref="CloudException">The job's node is gone (its results are fetched from the bucket), cannot be reached, or has no such file.</exception>
    public async Task GetAsync(int index, string remotePath, string? localPath = null, IProgress<CopyProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(remotePath);
        var destination = Path.GetFullPath(localPath ?? ".");
        if (!Directory.Exists(destination) && !Directory.Exists(Path.GetDirectoryName(destination)))
        {
            throw new InvalidInputException("Path", $"{localPath}: its folder {Path.GetDirectoryName(destination)} does not exist");
        }

        var node = await ReachAsync(index, cancellationToken).ConfigureAwait(false);
        await Connection.Shell.CopyFromNodeAsync(node, JobPath.OnNode(remotePath), destination, progress, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Writes the job's log: from its node while it runs (<c>~/awsrunner/job.log</c>; the install log until the job
    /// starts), from the bucket once the node is gone (the current attempt's <c>job.log</c>, else the install log).
    /// Following keeps writing what the job writes until it ends, then the rest of the log its node uploaded last.
    /// </summary>
    /// <param name="index">The job's index.</param>
    /// <param name="follow">Keep writing what the job writes until it ends.</param>
    /// <param name="output">Where the log's bytes go.</param>
    /// <param name="cancellationToken">Stops following.</param>
    /// <returns>0 when the log was shown; when following, the job's exit code.</returns>
    /// <exception cref="InvalidInputException">There is no such job.</exception>
    /// <exception cref="CloudException">
    /// The job's node is still starting, or is gone and left no log; when following, the node is gone and the job
    /// never reported its end.
    /// </exception>
    public Task<int> ShowLogAsync(int index, bool follow, Stream output, CancellationToken cancellationToken = default) =>
        new JobLogReader(Connection, Time, loggers.CreateLogger<JobLogReader>()).ShowAsync(Ledger, index, follow, output, cancellationToken);

    /// <summary>Creates and starts the round's seats as one pipeline: each node whose install ended well starts working at once.</summary>
    internal async Task<IReadOnlyList<NodeOutcome>> CreateAndStartAsync(DispatchRound round, BatchCreator creator, IProgress<NodeProgress>? progress, CancellationToken cancellationToken)
    {
        var ready = Channel.CreateUnbounded<ReadyNode>(new UnboundedChannelOptions { SingleReader = false, SingleWriter = false });
        var starter = Starter();
        var starting = starter.StartEachAsync(round, ready.Reader, progress, cancellationToken);
        var creating = CreateThenCloseAsync();
        await Task.WhenAll(creating, starting).ConfigureAwait(false);
        var created = await creating.ConfigureAwait(false);
        var started = await starting.ConfigureAwait(false);
        await starter.RecordWorkingAsync(round, cancellationToken).ConfigureAwait(false);
        return created.Select(o => started.TryGetValue(o.Index, out var job) ? new NodeOutcome(job) { SpotRefusal = o.SpotRefusal } : o).ToList();

        async Task<IReadOnlyList<NodeOutcome>> CreateThenCloseAsync()
        {
            try
            {
                return await creator.CreateAsync(round, progress, ready.Writer, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                ready.Writer.Complete();
            }
        }
    }

    internal BatchCreator Creator() => new(Connection, Time, loggers.CreateLogger<BatchCreator>());

    internal WorkStarter Starter() => new(Connection, loggers.CreateLogger<WorkStarter>());

    internal BatchTeardown Teardown() => new(Connection, Home, loggers.CreateLogger<BatchTeardown>());

    /// <summary>The running node of the job's current attempt, once it answers.</summary>
    private async Task<NodeInstance> ReachAsync(int index, CancellationToken cancellationToken)
    {
        await Ledger.RefreshAsync(cancellationToken).ConfigureAwait(false);
        var node = await new JobNodeLocator(Connection).FindAsync(Ledger, index, cancellationToken).ConfigureAwait(false);
        await Connection.Shell.WaitReachableAsync(node, cancellationToken).ConfigureAwait(false);
        return node;
    }
}
