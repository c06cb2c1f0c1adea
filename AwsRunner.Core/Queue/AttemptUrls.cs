using AwsRunner.Core.Cloud;
using AwsRunner.Core.Node;

namespace AwsRunner.Core.Queue;

/// <summary>
/// One attempt's URLs, a field of its row's file in a shard (the <c>urls.env</c> format: lines <c>VAR='value'</c>,
/// sourced by bash): its claim, its lease and end in the row's queue folder, and its results where they go without a queue.
/// </summary>
internal static class AttemptUrls
{
    public static string For(IUrlSigner signer, string batch, int index, int attempt)
    {
        var results = ResultKeys.Job(batch, index, attempt);
        return new NodeEnvFile()
            .Set("AWSRUNNER_URL_CLAIM", signer.ClaimUrl(ResultKeys.QueueClaim(batch, index, attempt)).AbsoluteUri)
            .Set("AWSRUNNER_URL_HEARTBEAT", signer.WriteUrl(ResultKeys.QueueHeartbeat(batch, index, attempt)).AbsoluteUri)
            .Set("AWSRUNNER_URL_DONE", signer.WriteUrl(ResultKeys.QueueDone(batch, index, attempt)).AbsoluteUri)
            .Set("AWSRUNNER_URL_STATUS", signer.WriteUrl(results + ResultKeys.Status).AbsoluteUri)
            .Set("AWSRUNNER_URL_LOG", signer.WriteUrl(results + ResultKeys.Log).AbsoluteUri)
            .Set("AWSRUNNER_URL_RESULTS", signer.WriteUrl(results + ResultKeys.Results).AbsoluteUri)
            .ToString();
    }
}
