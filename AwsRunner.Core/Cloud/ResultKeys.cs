using System.Globalization;
using AwsRunner.Core.Jobs;

namespace AwsRunner.Core.Cloud;

/// <summary>
/// The bucket's layout (design.md): <c>NAME/ledger.json.gz</c> and <c>NAME/jobs/0007/...</c>, a row's first attempt in
/// its job folder and each retry in <c>attempt-2/</c>, <c>attempt-3/</c>, ... within it (a fetch uses the same
/// folder names for a retried row's earlier attempts), and the code bundles every batch of the bucket shares, under
/// <c>_awsrunner/</c> (no batch name starts with <c>_</c>).
/// </summary>
internal static class ResultKeys
{
    public const string Heartbeat = "heartbeat.json";
    public const string Status = "status.json";
    public const string Log = "job.log";
    public const string Results = "results.tar.gz";
    public const string InstallLog = "install.log";

    public const string Bundles = "_awsrunner/bundles/";

    /// <summary>Where the marks of every batch's bundles are.</summary>
    public const string BundleUsersOfAll = "_awsrunner/users/";

    private const string BundleSuffix = ".tar.gz";

    /// <summary>The code bundle of this SHA-256 (lower-case hex): its content's address.</summary>
    public static string Bundle(string sha256) => Bundles + sha256 + BundleSuffix;

    /// <summary>The marks of the bundles a batch uses, one object per bundle; a bundle goes with its last mark.</summary>
    public static string BundleUsers(string batch) => BundleUsersOfAll + batch + "/";

    public static string BundleUser(string batch, string sha256) => BundleUsers(batch) + sha256;

    /// <summary>Splits <c>_awsrunner/users/NAME/SHA</c> into the batch and the bundle's hash.</summary>
    public static bool TryParseBundleUser(string key, out string batch, out string sha256)
    {
        batch = "";
        sha256 = "";
        if (!key.StartsWith(BundleUsersOfAll, StringComparison.Ordinal))
        {
            return false;
        }

        var parts = key[BundleUsersOfAll.Length..].Split('/');
        if (parts.Length != 2 || parts[0].Length == 0 || parts[1].Length == 0)
        {
            return false;
        }

        (batch, sha256) = (parts[0], parts[1]);
        return true;
    }

    private const string AttemptPrefix = "attempt-";

    public static string Batch(string batch) => batch + "/";

    /// <summary>The batch's ledger: its rows, attempts and nodes (<c>Ledger.BatchLedger</c> alone reads and writes it).</summary>
    public static string Ledger(string batch) => batch + "/ledger.json.gz";

    public static string Jobs(string batch) => batch + "/jobs/";

    public static string Job(string batch, int index) => Jobs(batch) + JobIndex.Format(index) + "/";

    /// <summary>The prefix of one attempt of a job: its job folder for the first, <c>attempt-K/</c> within it after.</summary>
    public static string Job(string batch, int index, int attempt) => Job(batch, index) + AttemptFolder(attempt);

    /// <summary>The folder of an attempt within its job's folder: none for the first.</summary>
    public static string AttemptFolder(int attempt) => attempt <= 1 ? "" : AttemptName(attempt) + "/";

    /// <summary>An attempt's folder name, <c>attempt-K</c>.</summary>
    public static string AttemptName(int attempt) => AttemptPrefix + attempt.ToString(CultureInfo.InvariantCulture);

    /// <summary>Whether a folder name within a job's folder is an attempt's (<c>attempt-K</c>).</summary>
    public static bool IsAttemptName(string name) =>
        name.StartsWith(AttemptPrefix, StringComparison.Ordinal)
        && int.TryParse(name.AsSpan(AttemptPrefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var attempt) && attempt >= 1;

    /// <summary>Splits a job's object name (<c>job.log</c>, <c>attempt-2/job.log</c>) into its attempt and file.</summary>
    public static bool TryParseAttempt(string name, out int attempt, out string file)
    {
        attempt = 1;
        file = name;
        var slash = name.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0)
        {
            return true;
        }

        file = name[(slash + 1)..];
        return name.StartsWith(AttemptPrefix, StringComparison.Ordinal)
            && int.TryParse(name.AsSpan(AttemptPrefix.Length, slash - AttemptPrefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out attempt)
            && attempt >= 2 && !file.Contains('/', StringComparison.Ordinal);
    }

    /// <summary>Splits <c>NAME/jobs/0007/job.log</c> into the job's index and the object's name.</summary>
    public static bool TryParseJobKey(string batch, string key, out int index, out string name)
    {
        index = 0;
        name = "";
        var prefix = Jobs(batch);
        if (!key.StartsWith(prefix, StringComparison.Ordinal))
        {
            return false;
        }

        var parts = key[prefix.Length..].Split('/', 2);
        if (parts.Length != 2 || !JobIndex.TryParse(parts[0], out index))
        {
            return false;
        }

        name = parts[1];
        return true;
    }

    /// <summary>The batch's queue (issue 23): its rows' shards by instance type, and the rows' claims and leases.</summary>
    public static string Queue(string batch) => batch + "/queue/";

    /// <summary>Shard <paramref name="shard"/> (from 0) of one instance type's rows, <c>NAME/queue/TYPE/shard-00000.tar.gz</c>.</summary>
    public static string QueueShard(string batch, string instanceType, int shard) =>
        Queue(batch) + instanceType + "/shard-" + shard.ToString("D5", CultureInfo.InvariantCulture) + ".tar.gz";

    /// <summary>Every row's claims, heartbeats and ends, the prefix a node lists: <c>NAME/queue/rows/</c>.</summary>
    public static string QueueRows(string batch) => Queue(batch) + "rows/";

    /// <summary>One row's queue folder, <c>NAME/queue/rows/0007/</c>.</summary>
    public static string QueueRow(string batch, int index) => QueueRows(batch) + JobIndex.Format(index) + "/";

    /// <summary>
    /// The objects an attempt can have in its row's queue folder: its claim, its heartbeat and its end. A LIST page
    /// (1000 keys) holds every object of the rows whose attempts it counts at this many a piece.
    /// </summary>
    public const int QueueObjectsPerAttempt = 3;

    /// <summary>The highest attempt number a row may reach, its earlier runs' included: one LIST page holds every object of a row.</summary>
    public const int QueueMaxAttempts = 1000 / QueueObjectsPerAttempt;

    /// <summary>Splits a key of a row's queue folder (<c>NAME/queue/rows/0007/3.claim</c>) into its row, attempt and kind (<c>claim</c>, <c>heartbeat.json</c>, <c>done</c>).</summary>
    public static bool TryParseQueueKey(string batch, string key, out int index, out int attempt, out string kind)
    {
        (index, attempt, kind) = (0, 0, "");
        var prefix = QueueRows(batch);
        if (!key.StartsWith(prefix, StringComparison.Ordinal))
        {
            return false;
        }

        var parts = key[prefix.Length..].Split('/');
        if (parts.Length != 2 || !JobIndex.TryParse(parts[0], out index))
        {
            return false;
        }

        var dot = parts[1].IndexOf('.', StringComparison.Ordinal);
        kind = dot < 0 ? "" : parts[1][(dot + 1)..];
        return dot > 0 && int.TryParse(parts[1].AsSpan(0, dot), NumberStyles.None, CultureInfo.InvariantCulture, out attempt) && attempt >= 1;
    }

    /// <summary>Attempt <paramref name="attempt"/>'s claim, created with <c>If-None-Match: *</c> by the node that runs it.</summary>
    public static string QueueClaim(string batch, int index, int attempt) => QueueRow(batch, index) + AttemptNumber(attempt) + ".claim";

    /// <summary>Attempt <paramref name="attempt"/>'s heartbeat, rewritten at every beat: its lease.</summary>
    public static string QueueHeartbeat(string batch, int index, int attempt) => QueueRow(batch, index) + AttemptNumber(attempt) + "." + Heartbeat;

    /// <summary>Attempt <paramref name="attempt"/>'s end, one line <c>STATE EXIT</c>.</summary>
    public static string QueueDone(string batch, int index, int attempt) => QueueRow(batch, index) + AttemptNumber(attempt) + ".done";

    /// <summary>Every node's parts of results archives over the part size, <c>NAME/parts/</c>.</summary>
    public static string Parts(string batch) => batch + "/parts/";

    /// <summary>A node's parts of results archives over the part size, <c>NAME/parts/NODEID/</c>, numbered by the node.</summary>
    public static string NodeParts(string batch, string node) => Parts(batch) + node + "/";

    /// <summary>A node's part <paramref name="part"/> (from 1), <c>NAME/parts/NODEID/00001</c>.</summary>
    public static string NodePart(string batch, string node, int part) => NodeParts(batch, node) + part.ToString("D5", CultureInfo.InvariantCulture);

    private static string AttemptNumber(int attempt) => attempt.ToString(CultureInfo.InvariantCulture);
}
