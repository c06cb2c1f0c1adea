using AwsRunner.Core.Jobs;

namespace AwsRunner.Core.Cloud;

/// <summary>The bucket's layout (design.md): <c>NAME/manifest.json</c> and <c>NAME/jobs/0007/...</c>.</summary>
internal static class ResultKeys
{
    public const string Heartbeat = "heartbeat.json";
    public const string Status = "status.json";
    public const string Log = "job.log";
    public const string Results = "results.tar.gz";

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
