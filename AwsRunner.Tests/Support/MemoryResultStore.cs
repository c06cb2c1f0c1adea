using System.Collections.Concurrent;
using AwsRunner.Core.Cloud;

namespace AwsRunner.Tests.Support;

/// <summary>A bucket in memory that counts its reads, for orchestration tests.</summary>
internal sealed class MemoryResultStore(TimeProvider time) : IResultStore
{
    private readonly ConcurrentDictionary<(string Bucket, string Key), (byte[] Content, DateTimeOffset Modified, int Version)> objects = new();
    private int version;

    public ConcurrentDictionary<string, int> Gets { get; } = new();

    public Task<UploadUrlLimit> GetUploadUrlLimitAsync(CancellationToken cancellationToken) =>
        Task.FromResult(new UploadUrlLimit(TimeSpan.FromDays(7), "S3's presigned URLs work at most 7 days"));

    public Task<DateTimeOffset> ServerNowAsync(string bucket, CancellationToken cancellationToken) => Task.FromResult(time.GetUtcNow());

    public string Describe(string bucket, string key) => $"mem://{bucket}/{key}";

    public Task EnsureBucketAsync(string bucket, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task<bool> BucketExistsAsync(string bucket, CancellationToken cancellationToken) => Task.FromResult(true);

    /// <summary>How long each job's upload URLs were asked to work, by job prefix.</summary>
    public ConcurrentDictionary<string, TimeSpan> UrlValidity { get; } = new();

    public Task<Uri> CreateUploadUrlAsync(string bucket, string key, TimeSpan validity, CancellationToken cancellationToken) =>
        Task.FromResult(new Uri($"mem://{bucket}/{key}"));

    public Task<Uri> CreateDownloadUrlAsync(string bucket, string key, TimeSpan validity, CancellationToken cancellationToken) =>
        Task.FromResult(new Uri($"mem://{bucket}/{key}"));

    /// <summary>How long each signer's URLs were asked to work, in order.</summary>
    public ConcurrentQueue<TimeSpan> SignerValidity { get; } = new();

    public Task<IUrlSigner> CreateUrlSignerAsync(string bucket, TimeSpan validity, CancellationToken cancellationToken)
    {
        SignerValidity.Enqueue(validity);
        return Task.FromResult<IUrlSigner>(new MemoryUrlSigner(bucket));
    }

    public async Task UploadAsync(string bucket, string key, string path, CancellationToken cancellationToken) =>
        await PutAsync(bucket, key, await File.ReadAllBytesAsync(path, cancellationToken), cancellationToken);

    public Task PutAsync(string bucket, string key, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        objects[(bucket, key)] = (content.ToArray(), time.GetUtcNow(), Interlocked.Increment(ref version));
        return Task.CompletedTask;
    }

    public void Put(string bucket, string key, string content) =>
        PutAsync(bucket, key, System.Text.Encoding.UTF8.GetBytes(content), CancellationToken.None).GetAwaiter().GetResult();

    public Task<byte[]?> GetAsync(string bucket, string key, CancellationToken cancellationToken)
    {
        Gets.AddOrUpdate(key, 1, (_, n) => n + 1);
        return Task.FromResult(objects.TryGetValue((bucket, key), out var o) ? o.Content : null);
    }

    public Task<VersionedObject?> GetVersionedAsync(string bucket, string key, CancellationToken cancellationToken)
    {
        Gets.AddOrUpdate(key, 1, (_, n) => n + 1);
        return Task.FromResult(objects.TryGetValue((bucket, key), out var o) ? new VersionedObject(o.Content, $"v{o.Version}") : null);
    }

    public Task<string?> PutIfAsync(string bucket, string key, ReadOnlyMemory<byte> content, string? ifMatch, CancellationToken cancellationToken)
    {
        lock (objects)
        {
            var there = objects.TryGetValue((bucket, key), out var o);
            if (ifMatch is null ? there : !there || $"v{o.Version}" != ifMatch)
            {
                return Task.FromResult<string?>(null);
            }

            var written = Interlocked.Increment(ref version);
            objects[(bucket, key)] = (content.ToArray(), time.GetUtcNow(), written);
            return Task.FromResult<string?>($"v{written}");
        }
    }

    public Task<IReadOnlyList<StoredObject>> ListAsync(string bucket, string prefix, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<StoredObject>>(objects
            .Where(o => o.Key.Bucket == bucket && o.Key.Key.StartsWith(prefix, StringComparison.Ordinal))
            .OrderBy(o => o.Key.Key, StringComparer.Ordinal)
            .Select(o => new StoredObject(o.Key.Key, o.Value.Content.Length, $"v{o.Value.Version}", o.Value.Modified))
            .ToList());

    public Task DownloadAsync(string bucket, string key, string path, CancellationToken cancellationToken) =>
        File.WriteAllBytesAsync(path, objects[(bucket, key)].Content, cancellationToken);

    public Task DeleteAsync(string bucket, string prefix, CancellationToken cancellationToken)
    {
        foreach (var key in objects.Keys.Where(k => k.Bucket == bucket && k.Key.StartsWith(prefix, StringComparison.Ordinal)))
        {
            objects.TryRemove(key, out _);
        }

        return Task.CompletedTask;
    }

    /// <summary>URLs that say what they are for: <c>mem://bucket/key</c>, a claim's with <c>?claim</c>, a listing's with its page.</summary>
    private sealed class MemoryUrlSigner(string bucket) : IUrlSigner
    {
        public int? ListPageKeys => 1000;

        public Uri ReadUrl(string key) => new($"mem://{bucket}/{key}");

        public Uri WriteUrl(string key) => new($"mem://{bucket}/{key}");

        public Uri ClaimUrl(string key) => new($"mem://{bucket}/{key}?claim");

        public Uri ListUrl(string prefix, string? startAfter) =>
            new($"mem://{bucket}/?prefix={Uri.EscapeDataString(prefix)}&start-after={Uri.EscapeDataString(startAfter ?? "")}");
    }
}
