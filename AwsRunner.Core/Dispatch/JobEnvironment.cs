using System.Globalization;
using AwsRunner.Core.Cloud;
using AwsRunner.Core.Node;

namespace AwsRunner.Core.Dispatch;

/// <summary>A node's <c>job.env</c>: the row's variables for the job, the command and upload URLs for the runner.</summary>
internal static class JobEnvironment
{
    public static string For(BatchPlan plan, ManifestRow row, JobUploadUrls urls)
    {
        var options = plan.Options;
        var env = new NodeEnvFile()
            .Export("AWSRUNNER_JOB", plan.Name)
            .Export("AWSRUNNER_INDEX", row.Index.ToString(CultureInfo.InvariantCulture))
            .Export("AWSRUNNER_ATTEMPT", RowAttempts.CurrentOf(row).ToString(CultureInfo.InvariantCulture));
        foreach (var (name, value) in row.Variables)
        {
            env.Export(name, value);
        }

        return env
            .Set("AWSRUNNER_COMMAND", row.Command)
            .Set("AWSRUNNER_RESULTS", string.Join('\n', options.ResultPaths))
            .Set("AWSRUNNER_HEARTBEAT_SECONDS", Seconds(options.HeartbeatInterval))
            .Set("AWSRUNNER_TIMEOUT_SECONDS", options.JobTimeout is { } timeout ? Seconds(timeout) : "0")
            .Set("AWSRUNNER_UPLOAD_GRACE_SECONDS", Seconds(options.UploadGrace))
            .Set("AWSRUNNER_URL_HEARTBEAT", urls.Heartbeat.AbsoluteUri)
            .Set("AWSRUNNER_URL_STATUS", urls.Status.AbsoluteUri)
            .Set("AWSRUNNER_URL_LOG", urls.Log.AbsoluteUri)
            .Set("AWSRUNNER_URL_RESULTS", urls.Results.AbsoluteUri)
            .ToString();
    }

    private static string Seconds(TimeSpan time) =>
        Math.Max(1, (long)Math.Ceiling(time.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
}
