namespace AwsRunner.Core.Dispatch;

/// <summary>What <c>awsrunner dispatch</c> is asked to do; validated into a <see cref="BatchPlan"/> before anything is created.</summary>
public sealed class DispatchOptions
{
    /// <summary>The machine image (AMI) every node boots from.</summary>
    public required string ImageId { get; init; }

    /// <summary>The batch's NAME: it names the bucket (unless <see cref="Bucket"/>), key pair and security group.</summary>
    public required string Name { get; init; }

    /// <summary>The job file (CSV).</summary>
    public required string JobFile { get; init; }

    /// <summary>Create the nodes, upload the code and run INSTALL.sh on them.</summary>
    public bool Create { get; init; }

    /// <summary>Hand every node the queue, so that the nodes run its rows.</summary>
    public bool Dispatch { get; init; }

    /// <summary>The INSTALL.sh to run on every node after the upload; none when null.</summary>
    public string? InstallScript { get; init; }

    /// <summary>The code folder uploaded to every node as <c>~/code</c>; the job file's folder when null.</summary>
    public string? CodeDirectory { get; init; }

    /// <summary>
    /// Upload the code folder even though it holds what looks like a secret (<c>.aws/</c>, <c>.ssh/</c>, the
    /// awsrunner home, a private key, ...); without it such a folder is refused. What <c>.awsrunnerignore</c> lists is
    /// never uploaded, and never refused.
    /// </summary>
    public bool CodeIncludeSecrets { get; init; }

    /// <summary>Paths, relative to the code folder, packed into each job's results.</summary>
    public IReadOnlyList<string> ResultPaths { get; init; } = [Defaults.ResultPath];

    /// <summary>
    /// The dead man's switch: every node powers itself off this many hours after it was created. Fixed when the batch is
    /// created; null takes the batch's (for a new batch <see cref="Defaults.MaxHours"/>), and a re-run may not change it.
    /// </summary>
    public double? MaxHours { get; init; }

    /// <summary>The bucket for results; the batch's NAME when null.</summary>
    public string? Bucket { get; init; }

    /// <summary>A job still running after this long is stopped (its log and results are uploaded); none when null.</summary>
    public TimeSpan? JobTimeout { get; init; }

    /// <summary>How many nodes are worked on at once during create and dispatch.</summary>
    public int Parallel { get; init; } = Defaults.Parallel;

    /// <summary>
    /// How often a running node reports that it is alive. Fixed when the batch is created; null takes the batch's (for a
    /// new batch <see cref="Defaults.HeartbeatInterval"/>), and a re-run may not change it.
    /// </summary>
    public TimeSpan? HeartbeatInterval { get; init; }

    /// <summary>How long INSTALL.sh may run before its node is reported failed.</summary>
    public TimeSpan InstallTimeout { get; init; } = TimeSpan.FromHours(1);

    /// <summary>How long a node retries a failed results upload before its state says upload-failed (it keeps retrying).</summary>
    public TimeSpan UploadGrace { get; init; } = TimeSpan.FromMinutes(30);

    /// <summary>
    /// The size of the parts a job's results archive is uploaded in when it is larger than this, in bytes:
    /// <see cref="Defaults.MinResultPartSize"/> (5 MiB) to <see cref="Defaults.ResultPartSize"/> (5 GiB, the default,
    /// the most one PUT takes). A node can upload <see cref="Defaults.ResultParts"/> parts, all its rows together: 1 TiB at the default.
    /// </summary>
    public long ResultPartSize
    {
        get;
        init => field = value is >= Defaults.MinResultPartSize and <= Defaults.ResultPartSize ? value
            : throw new InvalidInputException("ResultPartSize",
                $"DispatchOptions.ResultPartSize {BatchPlanner.Bytes(value)}: must be {BatchPlanner.Bytes(Defaults.MinResultPartSize)} to {BatchPlanner.Bytes(Defaults.ResultPartSize)} (S3's sizes for one part and one PUT)");
    } = Defaults.ResultPartSize;

    /// <summary>The largest code folder awsrunner uploads, in bytes.</summary>
    public long MaxUploadBytes { get; init; } = Defaults.MaxUploadBytes;

    /// <summary>How often create and dispatch ask the cloud and the nodes how they are doing.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// How long a new node may take, from its launch, to be running and to answer SSH (the node shells, opened with
    /// the same value, wait for SSH against the same deadline).
    /// </summary>
    public TimeSpan BootTimeout { get; init; } = Defaults.BootTimeout;

    /// <summary>
    /// Before creating, terminate the nodes of jobs that are hung (heartbeat stopped) or gave up uploading, so that
    /// those jobs run again on fresh nodes like the lost ones. Needs <see cref="Create"/> and <see cref="Dispatch"/>.
    /// </summary>
    public bool RetryLost { get; init; }

    /// <summary>Keep nodes whose INSTALL.sh failed running (for a look), instead of terminating them.</summary>
    public bool KeepFailed { get; init; }

    /// <summary>Secrets every job gets in its environment (<c>--secret</c>); their values never reach the bucket, a log or a command line.</summary>
    public IReadOnlyList<JobSecret> Secrets { get; init; } = [];
    /// <summary>
    /// How many times waiting runs a row again, on a fresh node and in a folder of its own in the bucket, when its
    /// spot instance was taken back or its node was lost; 0 runs every row once. At most 100.
    /// </summary>
    public int MaxRetries
    {
        get;
        init => field = value is >= 0 and <= MaxRetriesLimit ? value
            : throw new InvalidInputException("MaxRetries", $"DispatchOptions.MaxRetries {value}: must be 0 (no retries) to {MaxRetriesLimit}");
    } = Defaults.MaxRetries;

    /// <summary>After this many of a row's spot instances were taken back, its further attempts run on demand. At least 1.</summary>
    public int SpotFallbackAfter
    {
        get;
        init => field = value >= 1 ? value
            : throw new InvalidInputException("SpotFallbackAfter", $"DispatchOptions.SpotFallbackAfter {value}: must be at least 1 preemption");
    } = Defaults.SpotFallbackAfter;

    /// <summary>Exit codes of the command that count as worth another attempt, as a preemption does; none when empty.</summary>
    public IReadOnlyList<int> RetryOnExit
    {
        get;
        init => field = value.Where(c => c is < 1 or > 255).Select(c => (int?)c).FirstOrDefault() is { } bad
            ? throw new InvalidInputException("RetryOnExit", $"DispatchOptions.RetryOnExit {bad}: an exit code worth retrying is 1 to 255")
            : value;
    } = [];

    /// <summary>
    /// Rows a node runs at once: 1 by default; 0 for as many as its instance type has vCPUs. Each row runs in its own
    /// copy of the code folder.
    /// </summary>
    public int Slots
    {
        get;
        init => field = value >= 0 ? value : throw new InvalidInputException("Slots", $"DispatchOptions.Slots {value}: a node runs at least one row at once (or auto: one a vCPU)");
    } = 1;

    /// <summary>
    /// The most nodes of each instance type; null for one a row. Fewer nodes than rows share the rows as a queue: each
    /// node takes the next row left when it has a slot free.
    /// </summary>
    public int? MaxInstances
    {
        get;
        init => field = value is null or >= 1 ? value : throw new InvalidInputException("MaxInstances", $"DispatchOptions.MaxInstances {value}: at least one node of each type");
    }

    /// <summary>The most nodes of the types named, over <see cref="MaxInstances"/>.</summary>
    public IReadOnlyDictionary<string, int> MaxInstancesByType
    {
        get;
        init => field = value.FirstOrDefault(t => t.Value < 1) is { Key: not null } bad
            ? throw new InvalidInputException("MaxInstances", $"DispatchOptions.MaxInstancesByType {bad.Key}={bad.Value}: at least one node of each type")
            : value;
    } = new Dictionary<string, int>();

    /// <summary>The most nodes of <paramref name="instanceType"/>; null for one a row.</summary>
    internal int? MaxInstancesOf(string instanceType) => MaxInstancesByType.TryGetValue(instanceType, out var most) ? most : MaxInstances;

    internal const int MaxRetriesLimit = 100;
}
