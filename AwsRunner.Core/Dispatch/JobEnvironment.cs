using System.Globalization;
using AwsRunner.Core.Cloud;
using AwsRunner.Core.Ledger;
using AwsRunner.Core.Node;

namespace AwsRunner.Core.Dispatch;

/// <summary>
/// A node's <c>job.env</c> (the command and settings, for the runner), <c>job.vars</c> (the row's variables, for the
/// job only) and <c>urls.env</c>.
/// </summary>
internal static class JobEnvironment
{
    public static string For(DispatchRound round, LedgerRow row, NodeInstance node)
    {
        var options = round.Options;
        return new NodeEnvFile()
            .Export("AWSRUNNER_JOB", round.Name)
            .Export("AWSRUNNER_INDEX", row.Index.ToString(CultureInfo.InvariantCulture))
            .Export("AWSRUNNER_ATTEMPT", row.Current.Number.ToString(CultureInfo.InvariantCulture))
            // Only a spot instance watches for interruption notices: the local cloud has no metadata to ask.
            .Set("AWSRUNNER_SPOT", node.Spot ? "1" : "0")
            .Set("AWSRUNNER_COMMAND", row.Command)
            .Set("AWSRUNNER_RESULTS", string.Join('\n', options.ResultPaths))
            // The batch's own beat, fixed at its creation: its nodes are judged hung by it.
            .Set("AWSRUNNER_HEARTBEAT_SECONDS", round.Settings.HeartbeatSeconds.ToString(CultureInfo.InvariantCulture))
            .Set("AWSRUNNER_TIMEOUT_SECONDS", options.JobTimeout is { } timeout ? Seconds(timeout) : "0")
            .Set("AWSRUNNER_UPLOAD_GRACE_SECONDS", Seconds(options.UploadGrace))
            .Set("AWSRUNNER_RESULTS_PART_BYTES", options.ResultPartSize.ToString(CultureInfo.InvariantCulture))
            .Set("AWSRUNNER_RESULTS_PARTS", Defaults.ResultParts.ToString(CultureInfo.InvariantCulture))
            .ToString();
    }

    /// <summary>The row's variables, which the runner reads into the job's environment only.</summary>
    public static string Variables(LedgerRow row) => NodeVariables.Format(row.Variables);

    /// <summary>
    /// The upload URLs, in a file of their own so that a re-run can replace them without touching the job; part N's
    /// is <c>AWSRUNNER_URL_RESULTS_PART_N</c>.
    /// </summary>
    public static string UrlsFor(JobUploadUrls urls)
    {
        var env = new NodeEnvFile()
            .Set("AWSRUNNER_URL_HEARTBEAT", urls.Heartbeat.AbsoluteUri)
            .Set("AWSRUNNER_URL_STATUS", urls.Status.AbsoluteUri)
            .Set("AWSRUNNER_URL_LOG", urls.Log.AbsoluteUri)
            .Set("AWSRUNNER_URL_RESULTS", urls.Results.AbsoluteUri);
        for (var part = 1; part <= urls.ResultParts.Count; part++)
        {
            env.Set("AWSRUNNER_URL_RESULTS_PART_" + part.ToString(CultureInfo.InvariantCulture), urls.ResultParts[part - 1].AbsoluteUri);
        }

        return env.ToString();
    }

    private static string Seconds(TimeSpan time) =>
        Math.Max(1, (long)Math.Ceiling(time.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
}
