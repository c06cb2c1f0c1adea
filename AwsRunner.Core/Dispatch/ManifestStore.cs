using AwsRunner.Core.Cloud;

namespace AwsRunner.Core.Dispatch;

/// <summary>Keeps the batch manifest in the bucket, where every machine that can read the bucket finds it.</summary>
internal sealed class ManifestStore(IResultStore results)
{
    public async Task<BatchManifest?> LoadAsync(string bucket, string batch, CancellationToken cancellationToken)
    {
        var bytes = await results.GetAsync(bucket, ResultKeys.Manifest(batch), cancellationToken).ConfigureAwait(false);
        return bytes is null ? null : BatchManifest.FromBytes(bytes);
    }

    public async Task<BatchManifest> RequireAsync(string bucket, string batch, CancellationToken cancellationToken) =>
        BatchManifest.FromBytes(await RequireBytesAsync(bucket, batch, cancellationToken).ConfigureAwait(false));

    /// <summary>The manifest as stored, byte for byte, for a caller that keeps a copy of it.</summary>
    public async Task<byte[]> RequireBytesAsync(string bucket, string batch, CancellationToken cancellationToken) =>
        await results.GetAsync(bucket, ResultKeys.Manifest(batch), cancellationToken).ConfigureAwait(false)
        ?? throw new InvalidInputException("Batch", $"no batch \"{batch}\" in {results.Describe(bucket, "")} (was it created? is --bucket right?)");

    public Task SaveAsync(BatchManifest manifest, CancellationToken cancellationToken) =>
        results.PutAsync(manifest.Bucket, ResultKeys.Manifest(manifest.Name), manifest.ToBytes(), cancellationToken);
}
