using AwsRunner.Core.Cloud;
using Microsoft.Extensions.Logging;

namespace AwsRunner.Core.Dispatch;

/// <summary>
/// The code bundles in a bucket: each stored once under its SHA-256 and shared by every batch of the bucket with the
/// same code, with a mark per batch that uses it; <c>down --delete-results</c> of a batch removes its marks, and a
/// bundle with them when no other batch marks it.
/// </summary>
internal sealed partial class SharedBundles(IResultStore results, ILogger logger)
{
    /// <summary>Marks the bundle as the batch's and uploads it unless the bucket has it already; true when it uploaded.</summary>
    public async Task<bool> PublishAsync(string bucket, string batch, CodeBundle bundle, CancellationToken cancellationToken)
    {
        // The mark first: a down of another batch that runs meanwhile then sees a user and keeps the bundle.
        await results.PutAsync(bucket, ResultKeys.BundleUser(batch, bundle.Sha256), ReadOnlyMemory<byte>.Empty, cancellationToken).ConfigureAwait(false);
        var key = ResultKeys.Bundle(bundle.Sha256);
        if ((await results.ListAsync(bucket, key, cancellationToken).ConfigureAwait(false)).Any(o => o.Key == key))
        {
            LogBundleThere(logger, bucket, key);
            return false;
        }

        await results.UploadAsync(bucket, key, bundle.Path, cancellationToken).ConfigureAwait(false);
        LogBundleUploaded(logger, bucket, key);
        return true;
    }

    /// <summary>Removes the batch's marks, and each bundle it marked that no other batch marks.</summary>
    public async Task ReleaseAsync(string bucket, string batch, CancellationToken cancellationToken)
    {
        var users = (await results.ListAsync(bucket, ResultKeys.BundleUsersOfAll, cancellationToken).ConfigureAwait(false))
            .Select(o => ResultKeys.TryParseBundleUser(o.Key, out var user, out var sha) ? (Batch: user, Sha: sha) : default)
            .Where(u => u.Sha is not null)
            .ToList();
        var mine = users.Where(u => u.Batch == batch).Select(u => u.Sha).ToHashSet(StringComparer.Ordinal);
        if (mine.Count == 0)
        {
            return;
        }

        await results.DeleteAsync(bucket, ResultKeys.BundleUsers(batch), cancellationToken).ConfigureAwait(false);
        var stillUsed = users.Where(u => u.Batch != batch).Select(u => u.Sha).ToHashSet(StringComparer.Ordinal);
        foreach (var sha in mine.Where(s => !stillUsed.Contains(s)))
        {
            await results.DeleteAsync(bucket, ResultKeys.Bundle(sha), cancellationToken).ConfigureAwait(false);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "The code bundle is in bucket {Bucket} already: {Key}")]
    private static partial void LogBundleThere(ILogger logger, string bucket, string key);

    [LoggerMessage(Level = LogLevel.Information, Message = "Uploaded the code bundle to bucket {Bucket}: {Key}")]
    private static partial void LogBundleUploaded(ILogger logger, string bucket, string key);
}
