using AwsRunner.Core.Cloud;
using AwsRunner.Core.Jobs;
using AwsRunner.Core.Ledger;
using AwsRunner.Core.Queue;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AwsRunner.Core.Dispatch;

/// <summary>
/// The entry point: plan and dispatch batches on one cloud, open the ones that exist, list them. The command line is
/// a thin layer over this class and <see cref="Batch"/>; a program can use them the same way.
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

    /// <summary>
    /// Plans, then creates the nodes and/or starts the jobs, as the options ask (at least one of
    /// <see cref="DispatchOptions.Create"/> and <see cref="DispatchOptions.Dispatch"/>). A batch that exists is
    /// resumed: its finished jobs are left alone, its live nodes adopted, and only what is missing is launched; one that
    /// was taken down starts afresh (<see cref="DispatchResult.Restarted"/>).
    /// </summary>
    /// <param name="options">The dispatch.</param>
    /// <param name="progress">Told each time a job's node changes state.</param>
    /// <param name="cancellationToken">Stops the dispatch; what was created stays and a re-run adopts it.</param>
    /// <returns>The batch, with what the dispatch did (<see cref="Batch.Dispatched"/>).</returns>
    public async Task<Batch> DispatchAsync(DispatchOptions options, IProgress<NodeProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        if (!options.Create && !options.Dispatch)
        {
            throw new InvalidInputException("Option", "a dispatch creates the nodes, starts the jobs, or both: ask for at least one");
        }

        var plan = await PlanAsync(options, cancellationToken).ConfigureAwait(false);
        var (ledger, fresh, restarted) = options.Create
            ? await OpenForCreateAsync(plan, cancellationToken).ConfigureAwait(false)
            : (await OpenForDispatchAsync(plan, cancellationToken).ConfigureAwait(false), false, false);
        var round = new DispatchRound
        {
            Ledger = ledger,
            Options = options,
            Secrets = plan.Secrets,
            Seats = new HashSet<int>(),
            Dispatcher = Dispatcher.Current,
            Queues = new QueueSource(new QueueWriter(connection.Results, time, loggers.CreateLogger<QueueWriter>()), ledger,
                TimeSpan.FromHours(ledger.Document.Settings.MaxHours) + WorkStarter.UrlMargin),
        };
        var batch = new Batch(connection, home, loggers, time, ledger, round);

        // A batch that ran before: a node that outstayed it is ended before anything is adopted, and only what has no
        // result is worked on.
        var status = fresh ? Fresh(ledger) : await batch.GetStatusAsync(cancellationToken).ConfigureAwait(false);
        if (options.RetryLost)
        {
            await batch.Teardown().EndHungAsync(ledger, status, TimeSpan.Zero, cancellationToken).ConfigureAwait(false);
            status = await batch.GetStatusAsync(cancellationToken).ConfigureAwait(false);
        }

        if (options.Create)
        {
            await ledger.ChangeAsync(d => d.Seated(Seating.Asked(d, options, connection.Cloud.NodesPerType)), cancellationToken).ConfigureAwait(false);
            status = await PublishAsync(batch, round, status, fresh, cancellationToken).ConfigureAwait(false);
        }

        var now = await connection.Results.ServerNowAsync(ledger.Bucket, cancellationToken).ConfigureAwait(false);
        var (seats, gone) = Seating.ToFill(ledger.Document, status, asked: options.Create, now, round.StaleClaim);
        if (gone.Count > 0)
        {
            await ledger.ChangeAsync(d => d.Vacated(gone, options.SpotFallbackAfter).Next, cancellationToken).ConfigureAwait(false);
        }

        round = round with { Seats = seats };
        // The rows with a result report it; in a batch of a node a row, their seats are theirs.
        var finished = status.Jobs.Where(j => j.State.IsFinal() && !seats.Contains(j.Index)).ToList();
        foreach (var job in finished)
        {
            progress?.Report(new NodeProgress { Index = job.Index, State = job.State, Detail = EarlierDetail });
        }

        var creator = batch.Creator();
        IReadOnlyList<NodeOutcome> nodes = seats.Count == 0 ? []
            : options.Create && options.Dispatch ? await batch.CreateAndStartAsync(round, creator, progress, cancellationToken).ConfigureAwait(false)
            : options.Create ? await creator.CreateAsync(round, progress, null, cancellationToken).ConfigureAwait(false)
            : await batch.Starter().StartAsync(round, progress, cancellationToken).ConfigureAwait(false);
        var outcomes = nodes.Concat(finished.Select(j => new NodeOutcome { Index = j.Index, InstanceId = j.InstanceId, State = j.State, ExitCode = j.ExitCode, Detail = EarlierDetail, FinishedEarlier = true }))
            .OrderBy(o => o.Index)
            .ToList();
        return new Batch(connection, home, loggers, time, ledger, round)
        {
            Dispatched = new DispatchResult { Plan = plan, Nodes = outcomes, Overstaying = status.Overstaying, Restarted = restarted, Shortfall = creator.Shortfall },
        };
    }

    /// <summary>
    /// Publishes the run's queue when it has none yet (a new batch, one started afresh), or when rows used up their
    /// attempts without a result, or in a way this dispatch's <see cref="DispatchOptions.RetryOnExit"/> finds worth
    /// another: dispatching again asks for more.
    /// </summary>
    private async Task<BatchStatus> PublishAsync(Batch batch, DispatchRound round, BatchStatus status, bool fresh, CancellationToken cancellationToken)
    {
        var document = batch.Ledger.Document;
        var renewed = fresh ? [] : status.Jobs
            .Where(j => j.State.IsFinal() && j.State != JobState.TakenDown && j.Attempt >= document.Rows[j.Index].LastAttempt
                && (!j.State.HasOutcome() || j.State.IsRetryable(j.ExitCode, round.Options.RetryOnExit)))
            .Select(j => j.Index)
            .ToHashSet();
        if (document.Queue is { } queue && queue.Run == document.Run && renewed.Count == 0)
        {
            return status;
        }

        var options = round.Options;
        var slots = await SlotsAsync(document, options, cancellationToken).ConfigureAwait(false);
        var now = await connection.Results.ServerNowAsync(batch.Bucket, cancellationToken).ConfigureAwait(false);
        var published = new LedgerQueue { Run = document.Run, PublishedAt = now, Slots = slots, RetryOnExit = options.RetryOnExit };
        await batch.Ledger.ChangeAsync(d => d.Published(published, 1 + options.MaxRetries, renewed), cancellationToken).ConfigureAwait(false);
        await round.Queues.PublishAsync(cancellationToken).ConfigureAwait(false);
        return fresh ? Fresh(batch.Ledger) : await batch.GetStatusAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A batch this dispatch just made (or started afresh): every row before its first attempt, no node yet.</summary>
    private BatchStatus Fresh(BatchLedger ledger)
    {
        var document = ledger.Document;
        var state = document.Queue is null ? JobState.Pending : JobState.Queued;
        return new BatchStatus
        {
            Name = document.Name,
            Bucket = ledger.Bucket,
            Cloud = document.Cloud,
            CreatedAt = document.CreatedAt,
            ReadAt = time.GetUtcNow(),
            Jobs = document.Rows.Select(r => new JobStatus { Index = r.Index, InstanceType = r.InstanceType, State = state, Attempt = r.FirstAttempt }).ToList(),
        };
    }

    /// <summary>Rows a node runs at once, by instance type: <see cref="DispatchOptions.Slots"/>, or the type's vCPUs for 0.</summary>
    private async Task<IReadOnlyDictionary<string, int>> SlotsAsync(LedgerDocument document, DispatchOptions options, CancellationToken cancellationToken)
    {
        var types = document.Rows.Select(r => r.InstanceType).Distinct(StringComparer.Ordinal).ToList();
        var vcpus = options.Slots == 0 ? await connection.Cloud.GetVcpusAsync(types, cancellationToken).ConfigureAwait(false) : null;
        return types.ToDictionary(t => t, t => vcpus is null ? options.Slots : Math.Max(1, vcpus[t]), StringComparer.Ordinal);
    }

    /// <summary>A batch that exists, by its NAME: to follow, fetch, or take down.</summary>
    /// <param name="name">The batch's NAME.</param>
    /// <param name="bucket">Its bucket, when not the one this machine remembers (or NAME).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The batch.</returns>
    /// <exception cref="InvalidInputException">There is no such batch in the bucket.</exception>
    public async Task<Batch> OpenAsync(string name, string? bucket = null, CancellationToken cancellationToken = default)
    {
        BatchName.Validate(name);
        var ledger = await BatchLedger.RequireAsync(connection.Results, BucketOf(name, bucket), name, cancellationToken).ConfigureAwait(false);
        return new Batch(connection, home, loggers, time, ledger, null);
    }

    /// <summary>
    /// Takes down a batch by its NAME even when its ledger is gone or cannot be read: what runs is found by the cloud's
    /// own records (on EC2, the batch's tags).
    /// </summary>
    /// <param name="name">The batch's NAME.</param>
    /// <param name="deleteResults">Also delete the batch's results from the bucket (see <see cref="Batch.DownAsync"/>).</param>
    /// <param name="bucket">Its bucket, when not the one this machine remembers (or NAME).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>What was removed.</returns>
    public async Task<DownResult> DownAsync(string name, bool deleteResults = false, string? bucket = null, CancellationToken cancellationToken = default)
    {
        BatchName.Validate(name);
        var resolved = BucketOf(name, bucket);
        var ledger = await TryLoadAsync(resolved, name, cancellationToken).ConfigureAwait(false);
        return await new BatchTeardown(connection, home, loggers.CreateLogger<BatchTeardown>())
            .DownAsync(name, resolved, ledger, deleteResults, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The jobs a down of the batch would stop at work (see <see cref="Batch.FindRunningJobsAsync"/>); when its ledger is
    /// gone or cannot be read, every live node's job counts.
    /// </summary>
    /// <param name="name">The batch's NAME.</param>
    /// <param name="bucket">Its bucket, when not the one this machine remembers (or NAME).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>Their indexes, in order.</returns>
    public async Task<IReadOnlyList<int>> FindRunningJobsAsync(string name, string? bucket = null, CancellationToken cancellationToken = default)
    {
        BatchName.Validate(name);
        var ledger = await TryLoadAsync(BucketOf(name, bucket), name, cancellationToken).ConfigureAwait(false);
        var teardown = new BatchTeardown(connection, home, loggers.CreateLogger<BatchTeardown>());
        return ledger is null
            ? await teardown.LiveJobsAsync(name, cancellationToken).ConfigureAwait(false)
            : await teardown.RunningJobsAsync(ledger, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Every batch on this cloud that still has nodes, or results this machine knows of.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The batches, by name.</returns>
    public async Task<IReadOnlyList<BatchSummary>> ListAsync(CancellationToken cancellationToken = default)
    {
        var live = (await connection.Cloud.ListBatchesAsync(cancellationToken).ConfigureAwait(false)).ToDictionary(b => b.Batch);
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
                jobs = (await TryLoadAsync(bucket, name, cancellationToken).ConfigureAwait(false))?.Document.Rows.Count;
            }

            var instances = live.GetValueOrDefault(name);
            if (instances is not null || finished > 0)
            {
                summaries.Add(new BatchSummary
                {
                    Name = name,
                    Cloud = connection.Kind,
                    LiveInstances = instances?.Live ?? 0,
                    InstanceHours = instances?.InstanceHours ?? 0,
                    Jobs = jobs,
                    Finished = finished,
                });
            }
        }

        return summaries;
    }

    // Said of a row a re-run leaves alone.
    private const string EarlierDetail = "finished in an earlier run; its result is in the bucket";

    /// <summary>
    /// The ledger a create works on: a new batch's, fixed to what this dispatch gives; an existing batch's, once this
    /// dispatch is found to be the same batch; or, for a batch that was taken down, a new run of it.
    /// </summary>
    /// <returns>The ledger; whether it is new (this dispatch created it, or started it afresh); whether it was started afresh.</returns>
    private async Task<(BatchLedger Ledger, bool Fresh, bool Restarted)> OpenForCreateAsync(BatchPlan plan, CancellationToken cancellationToken)
    {
        var existing = await connection.Results.BucketExistsAsync(plan.Bucket, cancellationToken).ConfigureAwait(false)
            ? await BatchLedger.LoadAsync(connection.Results, plan.Bucket, plan.Name, cancellationToken).ConfigureAwait(false)
            : null;
        var settings = existing is { Document.DownAt: null } kept ? kept.Document.Settings : null;
        var maxHours = plan.Options.MaxHours ?? settings?.MaxHours ?? Defaults.MaxHours;
        var heartbeat = plan.Options.HeartbeatInterval ?? (settings is null ? Defaults.HeartbeatInterval : TimeSpan.FromSeconds(settings.HeartbeatSeconds));
        BatchPlanner.CheckLifetime(maxHours, await connection.Results.GetUploadUrlLimitAsync(cancellationToken).ConfigureAwait(false));

        // The image first: a typo creates nothing, not even the bucket.
        await connection.Cloud.CheckImageAsync(plan.ImageId, cancellationToken).ConfigureAwait(false);
        await connection.Results.EnsureBucketAsync(plan.Bucket, cancellationToken).ConfigureAwait(false);
        // Later commands reach the nodes the way this dispatch did, without the user repeating the SSH options.
        BatchRecords.Save(home, new BatchRecord(plan.Name, connection.Kind, plan.Bucket, connection.Region, connection.EndpointUrl, connection.Shell.Transport));
        using var bundle = await CodeBundle.BuildAsync(plan, cancellationToken).ConfigureAwait(false);
        var fixedSettings = new BatchSettings
        {
            MaxHours = maxHours,
            HeartbeatSeconds = (int)Math.Ceiling(heartbeat.TotalSeconds),
            BundleSha256 = bundle.Sha256,
        };
        if (existing is not null && existing.Document.DownAt is null)
        {
            BatchIdentity.Check(existing.Document, plan, fixedSettings);
        }

        await new SharedBundles(connection.Results, loggers.CreateLogger<SharedBundles>()).PublishAsync(plan.Bucket, plan.Name, bundle, cancellationToken).ConfigureAwait(false);
        var now = await connection.Results.ServerNowAsync(plan.Bucket, cancellationToken).ConfigureAwait(false);
        if (existing is null)
        {
            var (ledger, created) = await BatchLedger.CreateAsync(
                connection.Results, plan.Bucket, LedgerDocument.Create(plan, connection.Kind, fixedSettings, now), cancellationToken).ConfigureAwait(false);
            if (!created)
            {
                // Another dispatcher created it meanwhile: the same batch, or refused.
                BatchIdentity.Check(ledger.Document, plan, fixedSettings);
            }

            return (ledger, created, false);
        }

        if (existing.Document.DownAt is null)
        {
            return (existing, false, false);
        }

        var restarted = await existing.ChangeAsync(
            d => d.DownAt is null ? (d, false) : (d.Restarted(plan, fixedSettings, now), true), cancellationToken).ConfigureAwait(false);
        if (!restarted)
        {
            // Another dispatcher started it afresh first: the same batch, or refused.
            BatchIdentity.Check(existing.Document, plan, fixedSettings);
        }

        return (existing, restarted, restarted);
    }

    /// <summary>The ledger a dispatch without create works on: the batch must exist, be the same batch, and not be down.</summary>
    private async Task<BatchLedger> OpenForDispatchAsync(BatchPlan plan, CancellationToken cancellationToken)
    {
        var ledger = await BatchLedger.RequireAsync(connection.Results, plan.Bucket, plan.Name, cancellationToken).ConfigureAwait(false);
        if (ledger.Document.DownAt is { } down)
        {
            throw new InvalidInputException("Batch", $"batch \"{plan.Name}\" was taken down at {down:u}: DispatchOptions.Create starts it afresh");
        }

        BatchIdentity.Check(ledger.Document, plan, null);
        return ledger;
    }

    private async Task<BatchLedger?> TryLoadAsync(string bucket, string name, CancellationToken cancellationToken)
    {
        try
        {
            return await connection.Results.BucketExistsAsync(bucket, cancellationToken).ConfigureAwait(false)
                ? await BatchLedger.LoadAsync(connection.Results, bucket, name, cancellationToken).ConfigureAwait(false)
                : null;
        }
        catch (CloudException e) when (e.Code == "BadLedger")
        {
            return null;
        }
    }

    private string BucketOf(string name, string? bucket) =>
        bucket ?? BatchRecords.Load(home, BatchName.Validate(name))?.Bucket ?? name;
}
