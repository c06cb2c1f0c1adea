using System.Threading.Channels;
using AwsRunner.Core.Cloud;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AwsRunner.Core.Dispatch;

/// <summary>
/// The entry point: plan, create, dispatch, watch, fetch and tear down batches on one cloud. The command line is
/// a thin layer over this class; a program can use it the same way.
/// </summary>
public sealed class BatchRunner
{
    private readonly CloudConnection connection;
    private readonly string home;
    private readonly TimeProvider time;
    private readonly ILoggerFactory loggers;

    /// <summary>Creates the runner.</summary>
    /// <param name="connection">The cloud to work on.</param>
    /// <param name="home">The awsrunner home (see <see cref="AwsRunnerHome.Resolve"/>).</param>
    /// <param name="loggers">Where to log; nowhere when null.</param>
    /// <param name="time">The clock; the system's when null.</param>
    public BatchRunner(CloudConnection connection, string home, ILoggerFactory? loggers = null, TimeProvider? time = null)
    {
        this.connection = connection;
        this.home = home;
        this.loggers = loggers ?? NullLoggerFactory.Instance;
        this.time = time ?? TimeProvider.System;
    }

    /// <summary>Validates a dispatch (job file, name, paths, limits) and says what it would do. Creates nothing.</summary>
    /// <param name="options">The dispatch.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The plan.</returns>
    /// <exception cref="InvalidInputException">Something the user gave is wrong, or the nodes would outlive their upload URLs.</exception>
    public async Task<BatchPlan> PlanAsync(DispatchOptions options, CancellationToken cancellationToken = default) =>
        await BatchPlanner.PlanAsync(options, connection, home, cancellationToken).ConfigureAwait(false);

    /// <summary>Plans, then creates the nodes and/or starts the jobs, as the options ask.</summary>
    /// <param name="options">The dispatch.</param>
    /// <param name="progress">Told each time a job's node changes state.</param>
    /// <param name="cancellationToken">Stops the dispatch; what was created stays and a re-run adopts it.</param>
    /// <returns>The plan and every node's outcome.</returns>
    public async Task<DispatchResult> DispatchAsync(DispatchOptions options, IProgress<NodeProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        var plan = await PlanAsync(options, cancellationToken).ConfigureAwait(false);
        IReadOnlyList<NodeOutcome> nodes = [];
        IReadOnlyList<OverstayingNode> overstaying = [];
        if ((options.Create || options.Dispatch) && await ExistsAsync(plan, cancellationToken).ConfigureAwait(false))
        {
            // Before anything is adopted: a node that outstayed the batch is ended, and its job launched anew.
            var status = await GetStatusAsync(plan.Name, plan.Bucket, cancellationToken).ConfigureAwait(false);
            overstaying = status.Overstaying;
            if (options.RetryLost)
            {
                await RetireStuckNodesAsync(plan, status, cancellationToken).ConfigureAwait(false);
            }
        }

        if (options.Create && options.Dispatch)
        {
            nodes = await CreateAndStartAsync(plan, progress, cancellationToken).ConfigureAwait(false);
        }
        else if (options.Create)
        {
            nodes = await Creator().CreateAsync(plan, progress, null, cancellationToken).ConfigureAwait(false);
        }
        else if (options.Dispatch)
        {
            nodes = await Starter().StartAsync(plan, progress, cancellationToken).ConfigureAwait(false);
        }

        return new DispatchResult(plan, nodes) { Overstaying = overstaying };
    }

    /// <summary>
    /// Where every job of a batch stands. Instances that outstayed the batch (<see cref="BatchStatus.Overstaying"/>)
    /// are terminated.
    /// </summary>
    /// <param name="name">The batch's NAME.</param>
    /// <param name="bucket">Its bucket, when not the one this machine remembers (or NAME).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The status.</returns>
    public async Task<BatchStatus> GetStatusAsync(string name, string? bucket = null, CancellationToken cancellationToken = default) =>
        await Teardown().EndOverstayingAsync(
            await new StatusReader(connection, home).ReadAsync(name, BucketOf(name, bucket), cancellationToken).ConfigureAwait(false),
            cancellationToken).ConfigureAwait(false);

    /// <summary>
    /// Waits until no job of the batch will change state on its own; terminates instances that outstay the batch
    /// meanwhile (<see cref="BatchStatus.Overstaying"/> of each status).
    /// </summary>
    /// <param name="name">The batch's NAME.</param>
    /// <param name="bucket">Its bucket, when not the one this machine remembers (or NAME).</param>
    /// <param name="interval">How often to look.</param>
    /// <param name="progress">Told the status after every look.</param>
    /// <param name="cancellationToken">Stops waiting (the jobs go on).</param>
    /// <returns>The final status.</returns>
    public Task<BatchStatus> WaitAsync(string name, string? bucket, TimeSpan interval, IProgress<BatchStatus>? progress = null, CancellationToken cancellationToken = default)
    {
        var reader = new StatusReader(connection, home);
        var resolved = BucketOf(name, bucket);
        return Polling.UntilAsync(
            async token =>
            {
                var status = await Teardown().EndOverstayingAsync(
                    await reader.ReadAsync(name, resolved, token).ConfigureAwait(false), token).ConfigureAwait(false);
                progress?.Report(status);
                return status;
            },
            status => status.Finished,
            interval,
            Timeout.InfiniteTimeSpan,
            time,
            cancellationToken);
    }

    /// <summary>
    /// Waits until no job of the batch will change state on its own, running again on a fresh node each row whose spot
    /// instance was taken back or whose node was lost (and each that exited with a code of
    /// <see cref="DispatchOptions.RetryOnExit"/>) up to <see cref="DispatchOptions.MaxRetries"/> times, on demand after
    /// <see cref="DispatchOptions.SpotFallbackAfter"/> preemptions. Each attempt has a prefix of its own in the bucket.
    /// </summary>
    /// <param name="options">The dispatch that started the batch.</param>
    /// <param name="progress">Told the status after every look.</param>
    /// <param name="nodes">Told each time a retried job's node changes state.</param>
    /// <param name="cancellationToken">Stops waiting (the jobs go on).</param>
    /// <returns>The final status.</returns>
    public async Task<BatchStatus> WaitAsync(
        DispatchOptions options, IProgress<BatchStatus>? progress, IProgress<NodeProgress>? nodes, CancellationToken cancellationToken)
    {
        var reader = new StatusReader(connection, home);
        var bucket = BucketOf(options.Name, options.Bucket);
        var retries = new RetryRound(connection, loggers.CreateLogger<RetryRound>());
        while (true)
        {
            var status = await Polling.UntilAsync(
                async token =>
                {
                    var status = await Teardown().EndOverstayingAsync(
                        await reader.ReadAsync(options.Name, bucket, token).ConfigureAwait(false), token).ConfigureAwait(false);
                    progress?.Report(status);
                    return status;
                },
                status => status.Finished || RetryRound.Due(status, options).Count > 0,
                options.PollInterval,
                Timeout.InfiniteTimeSpan,
                time,
                cancellationToken).ConfigureAwait(false);
            var due = RetryRound.Due(status, options);
            if (due.Count == 0)
            {
                return status;
            }

            await retries.AdvanceAsync(options.Name, bucket, due, options, cancellationToken).ConfigureAwait(false);
            await DispatchAsync(options with { Create = true, Dispatch = true, RetryLost = false }, nodes, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Every batch on this cloud that still has nodes, or results this machine knows of.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The batches, by name.</returns>
    public async Task<IReadOnlyList<BatchSummary>> ListAsync(CancellationToken cancellationToken = default)
    {
        var live = (await connection.Cloud.ListBatchesAsync(cancellationToken).ConfigureAwait(false)).ToDictionary(b => b.Batch);
        var manifests = new ManifestStore(connection.Results);
        var summaries = new List<BatchSummary>();
        // A batch of another region is that region's to list: its bucket may not even answer here.
        var known = BatchRecords.List(home)
            .Where(r => r.Cloud == connection.Kind && (connection.Region is null || r.Region is null || r.Region == connection.Region))
            .ToDictionary(r => r.Name);
        foreach (var name in live.Keys.Union(known.Keys).Order(StringComparer.Ordinal))
        {
            var bucket = known.TryGetValue(name, out var record) ? record.Bucket : name;
            var finished = 0;
            int? jobs = null;
            if (await connection.Results.BucketExistsAsync(bucket, cancellationToken).ConfigureAwait(false))
            {
                // A retried job may hold a status.json for each attempt; it counts once.
                finished = (await connection.Results.ListAsync(bucket, ResultKeys.Jobs(name), cancellationToken).ConfigureAwait(false))
                    .Select(o => ResultKeys.TryParseJobKey(name, o.Key, out var job, out var file) && file.EndsWith(ResultKeys.Status, StringComparison.Ordinal) ? job : -1)
                    .Where(job => job >= 0)
                    .Distinct()
                    .Count();
                jobs = (await manifests.LoadAsync(bucket, name, cancellationToken).ConfigureAwait(false))?.Rows.Count;
            }

            var instances = live.GetValueOrDefault(name);
            if (instances is not null || finished > 0)
            {
                summaries.Add(new BatchSummary(name, connection.Kind, instances?.Live ?? 0, instances?.InstanceHours ?? 0, jobs, finished));
            }
        }

        return summaries;
    }

    /// <summary>Downloads every finished job's status, log and results into <c>OUT/0007/</c>; skips what is already there.</summary>
    /// <param name="name">The batch's NAME.</param>
    /// <param name="outputDirectory">The folder to fill.</param>
    /// <param name="bucket">Its bucket, when not the one this machine remembers (or NAME).</param>
    /// <param name="options">Limits on what the nodes uploaded; the defaults when null.</param>
    /// <param name="cancellationToken">Stops the download; a later fetch resumes.</param>
    /// <returns>
    /// What was fetched and which jobs failed or are missing; a job whose upload broke a rule (an archive with a link
    /// or a path out of its folder, or over the size cap) is in <see cref="FetchResult.NotFetched"/> and the others
    /// are fetched all the same.
    /// </returns>
    public Task<FetchResult> FetchAsync(string name, string outputDirectory, string? bucket = null, FetchOptions? options = null, CancellationToken cancellationToken = default) =>
        new ResultFetcher(connection).FetchAsync(name, BucketOf(name, bucket), outputDirectory, options ?? new FetchOptions(), cancellationToken);

    /// <summary>
    /// Merges the results of every fetched job (a CSV, a JSON object or array of objects, or JSON lines) into one CSV
    /// table, each row led by the batch, the job's index and its job-file columns; no column is written twice. Jobs
    /// whose results cannot be read, or whose CSV header differs from the first one, are left out and reported.
    /// </summary>
    /// <param name="name">The batch's NAME.</param>
    /// <param name="outputDirectory">The folder a fetch filled.</param>
    /// <param name="mergedFile">The CSV to write.</param>
    /// <param name="source">
    /// The file within each job's folder (such as <c>output/results.csv</c>; <c>.json</c>, <c>.jsonl</c> and
    /// <c>.ndjson</c> are read as JSON); when null, each job's only CSV, else its only JSON file.
    /// </param>
    /// <param name="bucket">Its bucket, when not the one this machine remembers (or NAME).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>What was merged and what was left out; when no job could be merged, the table is not written.</returns>
    public async Task<MergeResult> MergeAsync(string name, string outputDirectory, string mergedFile, string? source = null, string? bucket = null, CancellationToken cancellationToken = default)
    {
        var manifest = await new ManifestStore(connection.Results).RequireAsync(BucketOf(name, bucket), name, cancellationToken).ConfigureAwait(false);
        return ResultMerger.Merge(manifest, outputDirectory, mergedFile, source);
    }

    /// <summary>
    /// Terminates whatever of the batch still runs, without asking (<see cref="FindRunningJobsAsync"/> says what that
    /// would stop), and removes what it created; results stay unless asked.
    /// </summary>
    /// <param name="name">The batch's NAME.</param>
    /// <param name="deleteResults">
    /// Also delete the batch's results (its prefix) from the bucket, and the bucket itself when awsrunner created it
    /// and that leaves it empty.
    /// </param>
    /// <param name="bucket">Its bucket, when not the one this machine remembers (or NAME).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>What was removed.</returns>
    public Task<DownResult> DownAsync(string name, bool deleteResults = false, string? bucket = null, CancellationToken cancellationToken = default) =>
        Teardown().DownAsync(name, BucketOf(name, bucket), deleteResults, cancellationToken);

    /// <summary>
    /// The jobs that <see cref="DownAsync"/> would stop in their work: queued, running, uploading, hung, or holding
    /// results they could not upload, on a node that is still up. When the bucket has no manifest of the batch, every
    /// live node's job counts. A caller asks before it takes such a batch down.
    /// </summary>
    /// <param name="name">The batch's NAME.</param>
    /// <param name="bucket">Its bucket, when not the one this machine remembers (or NAME).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>Their indexes, in order; empty when down would stop nothing at work.</returns>
    public Task<IReadOnlyList<int>> FindRunningJobsAsync(string name, string? bucket = null, CancellationToken cancellationToken = default) =>
        Teardown().RunningJobsAsync(name, BucketOf(name, bucket), cancellationToken);

    /// <summary>
    /// Create and dispatch as one pipeline: each node whose install has ended well starts its job at once, while the
    /// others still boot or install; nothing waits for the slowest node.
    /// </summary>
    private async Task<IReadOnlyList<NodeOutcome>> CreateAndStartAsync(BatchPlan plan, IProgress<NodeProgress>? progress, CancellationToken cancellationToken)
    {
        var ready = Channel.CreateUnbounded<ReadyNode>(new UnboundedChannelOptions { SingleReader = false, SingleWriter = false });
        var starter = Starter();
        var starting = starter.StartEachAsync(plan, ready.Reader, progress, cancellationToken);
        var creating = CreateThenCloseAsync();
        await Task.WhenAll(creating, starting).ConfigureAwait(false);
        var created = await creating.ConfigureAwait(false);
        var started = await starting.ConfigureAwait(false);
        await starter.RecordDispatchedAsync(plan, started, cancellationToken).ConfigureAwait(false);
        return created.Select(o => started.TryGetValue(o.Index, out var job) ? job with { SpotRefusal = o.SpotRefusal } : o).ToList();

        async Task<IReadOnlyList<NodeOutcome>> CreateThenCloseAsync()
        {
            try
            {
                return await Creator().CreateAsync(plan, progress, ready.Writer, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                ready.Writer.Complete();
            }
        }
    }

    private BatchCreator Creator() => new(connection, home, time, loggers.CreateLogger<BatchCreator>());

    private JobStarter Starter() => new(connection, time, loggers.CreateLogger<JobStarter>());

    private async Task<bool> ExistsAsync(BatchPlan plan, CancellationToken cancellationToken) =>
        await connection.Results.BucketExistsAsync(plan.Bucket, cancellationToken).ConfigureAwait(false)
        && await new ManifestStore(connection.Results).LoadAsync(plan.Bucket, plan.Name, cancellationToken).ConfigureAwait(false) is not null;

    private async Task RetireStuckNodesAsync(BatchPlan plan, BatchStatus status, CancellationToken cancellationToken)
    {
        var stuck = status.Jobs
            // Not upload-failed: such a node still holds its results and retries their upload until its deadline.
            .Where(j => j.State is JobState.Hung && j.InstanceId is not null && j.Instance is not InstanceState.Terminated)
            .Select(j => j.InstanceId!)
            .ToList();
        if (stuck.Count > 0)
        {
            await connection.Cloud.TerminateAsync(plan.Name, stuck, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Opens a shell on the running node of one job, or runs a command there, on this process's terminal (standard
    /// input, output and error); waits for a node that is still booting.
    /// </summary>
    /// <param name="name">The batch's NAME.</param>
    /// <param name="index">The job's index.</param>
    /// <param name="command">A bash command line to run in the node's home folder; an interactive shell when null.</param>
    /// <param name="bucket">Its bucket, when not the one this machine remembers (or NAME).</param>
    /// <param name="cancellationToken">Ends the session.</param>
    /// <returns>The exit code of the command or shell.</returns>
    /// <exception cref="InvalidInputException">There is no such batch or job.</exception>
    /// <exception cref="CloudException">The job's node is not running, or cannot be reached.</exception>
    public async Task<int> AttachAsync(string name, int index, string? command, string? bucket = null, CancellationToken cancellationToken = default)
    {
        var node = await ReachAsync(name, index, bucket, cancellationToken).ConfigureAwait(false);
        return await connection.Shell.AttachAsync(node, command, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Copies a file or a folder from this machine to the node of one job, as <c>scp -r</c> would: into
    /// <paramref name="remotePath"/> when that is a folder that exists, else as it.
    /// </summary>
    /// <param name="name">The batch's NAME.</param>
    /// <param name="index">The job's index.</param>
    /// <param name="localPath">The file or folder on this machine.</param>
    /// <param name="remotePath">Where on the node: relative to the job's code folder (<c>~/code</c>), or <c>~/...</c>, or absolute; the code folder when null.</param>
    /// <param name="progress">Told how far each file has come.</param>
    /// <param name="bucket">Its bucket, when not the one this machine remembers (or NAME).</param>
    /// <param name="cancellationToken">Stops the copy.</param>
    /// <returns>A task that completes when the copy is complete.</returns>
    /// <exception cref="InvalidInputException">There is no such file, batch or job.</exception>
    /// <exception cref="CloudException">The job's node is gone (its results are fetched from the bucket), cannot be reached, or refused the copy.</exception>
    public async Task PutAsync(string name, int index, string localPath, string? remotePath = null, IProgress<CopyProgress>? progress = null, string? bucket = null, CancellationToken cancellationToken = default)
    {
        if (!File.Exists(localPath) && !Directory.Exists(localPath))
        {
            throw new InvalidInputException("Path", $"{localPath}: no such file or folder");
        }

        var node = await ReachAsync(name, index, bucket, cancellationToken).ConfigureAwait(false);
        await connection.Shell.CopyToNodeAsync(node, Path.GetFullPath(localPath), JobPath.OnNode(remotePath), progress, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Copies a file or a folder from the node of one job to this machine, as <c>scp -r</c> would: into
    /// <paramref name="localPath"/> when that is a folder that exists, else as it.
    /// </summary>
    /// <param name="name">The batch's NAME.</param>
    /// <param name="index">The job's index.</param>
    /// <param name="remotePath">The file or folder on the node: relative to the job's code folder (<c>~/code</c>), or <c>~/...</c>, or absolute.</param>
    /// <param name="localPath">Where on this machine; the current folder when null.</param>
    /// <param name="progress">Told how far each file has come.</param>
    /// <param name="bucket">Its bucket, when not the one this machine remembers (or NAME).</param>
    /// <param name="cancellationToken">Stops the copy.</param>
    /// <returns>A task that completes when the copy is complete.</returns>
    /// <exception cref="InvalidInputException">There is no such batch, job or local folder.</exception>
    /// <exception cref="CloudException">The job's node is gone (its results are fetched from the bucket), cannot be reached, or has no such file.</exception>
    public async Task GetAsync(string name, int index, string remotePath, string? localPath = null, IProgress<CopyProgress>? progress = null, string? bucket = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(remotePath);
        var destination = Path.GetFullPath(localPath ?? ".");
        if (!Directory.Exists(destination) && !Directory.Exists(Path.GetDirectoryName(destination)))
        {
            throw new InvalidInputException("Path", $"{localPath}: its folder {Path.GetDirectoryName(destination)} does not exist");
        }

        var node = await ReachAsync(name, index, bucket, cancellationToken).ConfigureAwait(false);
        await connection.Shell.CopyFromNodeAsync(node, JobPath.OnNode(remotePath), destination, progress, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Writes the job's log: from its node while it runs (<c>~/awsrunner/job.log</c>; the install log until the job
    /// starts), from the bucket once the node is gone (the current attempt's <c>job.log</c>, else the install log).
    /// Following keeps writing what the job writes until it ends, then the rest of the log its node uploaded last.
    /// </summary>
    /// <param name="name">The batch's NAME.</param>
    /// <param name="index">The job's index.</param>
    /// <param name="follow">Keep writing what the job writes until it ends.</param>
    /// <param name="output">Where the log's bytes go.</param>
    /// <param name="bucket">Its bucket, when not the one this machine remembers (or NAME).</param>
    /// <param name="cancellationToken">Stops following.</param>
    /// <returns>0 when the log was shown; when following, the job's exit code.</returns>
    /// <exception cref="InvalidInputException">There is no such batch or job.</exception>
    /// <exception cref="CloudException">
    /// The job's node is still starting, or is gone and left no log; when following, the node is gone and the job
    /// never reported its end.
    /// </exception>
    public Task<int> ShowLogAsync(string name, int index, bool follow, Stream output, string? bucket = null, CancellationToken cancellationToken = default) =>
        new JobLogReader(connection, time, loggers.CreateLogger<JobLogReader>()).ShowAsync(name, BucketOf(name, bucket), index, follow, output, cancellationToken);

    private BatchTeardown Teardown() => new(connection, home, loggers.CreateLogger<BatchTeardown>());

    /// <summary>The running node of the job, once it answers.</summary>
    private async Task<NodeInstance> ReachAsync(string name, int index, string? bucket, CancellationToken cancellationToken)
    {
        var node = await new JobNodeLocator(connection).FindAsync(name, BucketOf(name, bucket), index, cancellationToken).ConfigureAwait(false);
        await connection.Shell.WaitReachableAsync(node, cancellationToken).ConfigureAwait(false);
        return node;
    }

    private string BucketOf(string name, string? bucket) =>
        bucket ?? BatchRecords.Load(home, Jobs.BatchName.Validate(name))?.Bucket ?? name;
}
