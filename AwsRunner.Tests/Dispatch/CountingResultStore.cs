using System.Collections.Concurrent;
using AwsRunner.Core.Cloud;

namespace AwsRunner.Tests.Dispatch;

/// <summary>
/// A bucket that passes everything on to another and keeps the keys of the files uploaded and how long its URL signers
/// sign for; it may spoil uploads.
/// </summary>
internal sealed class CountingResultStore(IResultStore inner) : IResultStore
{
    public ConcurrentQueue<string> Uploads { get; } = new();

    public ConcurrentQueue<string> Listings { get; } = new();

    /// <summary>Uploads one byte more than the file holds, as a broken transfer or a tampered object would.</summary>
    public bool Spoil { get; set; }

    public async Task UploadAsync(string bucket, string key, string path, CancellationToken cancellationToken)
    {
        Uploads.Enqueue(key);
        if (!Spoil)
        {
            await inner.UploadAsync(bucket, key, path, cancellationToken);
            return;
        }

        var spoiled = path + ".spoiled";
        await File.WriteAllBytesAsync(spoiled, [.. await File.ReadAllBytesAsync(path, cancellationToken), 0], cancellationToken);
        await inner.UploadAsync(bucket, key, spoiled, cancellationToken);
        File.Delete(spoiled);
    }

    public string Describe(string bucket, string key) => inner.Describe(bucket, key);

    public Task<UploadUrlLimit> GetUploadUrlLimitAsync(CancellationToken cancellationToken) => inner.GetUploadUrlLimitAsync(cancellationToken);

    public Task EnsureBucketAsync(string bucket, CancellationToken cancellationToken) => inner.EnsureBucketAsync(bucket, cancellationToken);

    public Task<bool> BucketExistsAsync(string bucket, CancellationToken cancellationToken) => inner.BucketExistsAsync(bucket, cancellationToken);

    public Task<DateTimeOffset> ServerNowAsync(string bucket, CancellationToken cancellationToken) => inner.ServerNowAsync(bucket, cancellationToken);

    public Task<Uri> CreateUploadUrlAsync(string bucket, string key, TimeSpan validity, CancellationToken cancellationToken) =>
        inner.CreateUploadUrlAsync(bucket, key, validity, cancellationToken);

    public Task<Uri> CreateDownloadUrlAsync(string bucket, string key, TimeSpan validity, CancellationToken cancellationToken) =>
        inner.CreateDownloadUrlAsync(bucket, key, validity, cancellationToken);

    /// <summary>How long each URL signer asked for was to sign URLs for, in order.</summary>
    public ConcurrentQueue<TimeSpan> SignerValidity { get; } = new();

    public Task<IUrlSigner> CreateUrlSignerAsync(string bucket, TimeSpan validity, CancellationToken cancellationToken)
    {
        SignerValidity.Enqueue(validity);
        return inner.CreateUrlSignerAsync(bucket, validity, cancellationToken);
    }

    public Task PutAsync(string bucket, string key, ReadOnlyMemory<byte> content, CancellationToken cancellationToken) =>
        inner.PutAsync(bucket, key, content, cancellationToken);

    public Task<byte[]?> GetAsync(string bucket, string key, CancellationToken cancellationToken) => inner.GetAsync(bucket, key, cancellationToken);

    public Task<VersionedObject?> GetVersionedAsync(string bucket, string key, CancellationToken cancellationToken) => inner.GetVersionedAsync(bucket, key, cancellationToken);

    public Task<string?> PutIfAsync(string bucket, string key, ReadOnlyMemory<byte> content, string? ifMatch, CancellationToken cancellationToken) =>
        inner.PutIfAsync(bucket, key, content, ifMatch, cancellationToken);

    public Task<IReadOnlyList<StoredObject>> ListAsync(string bucket, string prefix, CancellationToken cancellationToken)
    {
        Listings.Enqueue(prefix);
        return inner.ListAsync(bucket, prefix, cancellationToken);
    }

    public Task DownloadAsync(string bucket, string key, string path, CancellationToken cancellationToken) =>
        inner.DownloadAsync(bucket, key, path, cancellationToken);

    public Task DeleteAsync(string bucket, string prefix, CancellationToken cancellationToken) => inner.DeleteAsync(bucket, prefix, cancellationToken);
}
