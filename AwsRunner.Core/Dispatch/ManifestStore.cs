using AwsRunner.Core.Cloud;

namespace AwsRunner.Core.Dispatch;

/// <summary>
/// Keeps the batch manifest in the bucket, where every machine that can read the bucket finds it. A manifest read
/// back is checked as the job file was (<see cref="BatchManifest.FromBytes"/>): anyone who can write to the bucket
/// can change it.
/// </summary>
internal sealed class ManifestStore(IResultStore results)
{
    public async Task<BatchManifest?> LoadAsync(string bucket, string batch, CancellationToken cancellationToken)
    {
        var bytes = await results.GetAsync(bucket, ResultKeys.Manifest(batch), cancellationToken).ConfigureAwait(false);
        return bytes is null ? null : Read(bytes, bucket, batch);
    }

    public async Task<BatchManifest> RequireAsync(string bucket, string batch, CancellationToken cancellationToken) =>
        Read(await RequireBytesAsync(bucket, batch, cancellationToken).ConfigureAwait(false), bucket, batch);

    /// <summary>The manifest as stored, byte for byte, for a caller that keeps a copy of it.</summary>
    public async Task<byte[]> RequireBytesAsync(string bucket, string batch, CancellationToken cancellationToken) =>
        await results.GetAsync(bucket, ResultKeys.Manifest(batch), cancellationToken).ConfigureAwait(false)
        ?? throw new InvalidInputException("Batch", $"no batch \"{batch}\" in {results.Describe(bucket, "")} (was it created? is --bucket right?)");

    /// <summary>Checks stored bytes as the manifest of <paramref name="batch"/> in <paramref name="bucket"/>.</summary>
    public BatchManifest Read(byte[] bytes, string bucket, string batch) =>
        BatchManifest.FromBytes(bytes, batch, bucket, results.Describe(bucket, ResultKeys.Manifest(batch)));

    public Task SaveAsync(BatchManifest manifest, CancellationToken cancellationToken) =>
        results.PutAsync(manifest.Bucket, ResultKeys.Manifest(manifest.Name), manifest.ToBytes(), cancellationToken);
}
