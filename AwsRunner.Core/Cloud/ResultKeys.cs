using AwsRunner.Core.Jobs;

namespace AwsRunner.Core.Cloud;

/// <summary>
/// The bucket's layout (design.md): <c>NAME/manifest.json</c> and <c>NAME/jobs/0007/...</c>, and the code bundles
/// every batch of the bucket shares, under <c>_awsrunner/</c> (no batch name starts with <c>_</c>).
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

    public static string Batch(string batch) => batch + "/";

    public static string Manifest(string batch) => batch + "/manifest.json";

    public static string Jobs(string batch) => batch + "/jobs/";

    public static string Job(string batch, int index) => Jobs(batch) + JobIndex.Format(index) + "/";

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
}
