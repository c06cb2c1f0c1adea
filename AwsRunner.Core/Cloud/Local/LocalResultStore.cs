using System.Globalization;

namespace AwsRunner.Core.Cloud.Local;

/// <summary>The local cloud's bucket: a folder per bucket; nodes upload to it with curl and <c>file://</c> URLs.</summary>
internal sealed class LocalResultStore(LocalPaths paths) : IResultStore
{
    // file:// URLs carry no signature, so they do not expire.
    public Task<UploadUrlLimit> GetUploadUrlLimitAsync(CancellationToken cancellationToken) => Task.FromResult(UploadUrlLimit.None);

    // The bucket is a folder: its objects' times are the file system's, on this machine's own clock.
    public Task<DateTimeOffset> ServerNowAsync(string bucket, CancellationToken cancellationToken) => Task.FromResult(TimeProvider.System.GetUtcNow());

    public string Describe(string bucket, string key) => Path.Combine(paths.Buckets, bucket, key);

    public Task EnsureBucketAsync(string bucket, CancellationToken cancellationToken)
    {
        var folder = Describe(bucket, "");
        if (!Directory.Exists(folder))
        {
            Directory.CreateDirectory(folder);
            File.WriteAllText(CreatedMark(bucket), "");
        }

        return Task.CompletedTask;
    }

    public Task<bool> BucketExistsAsync(string bucket, CancellationToken cancellationToken) =>
        Task.FromResult(Directory.Exists(Describe(bucket, "")));

    public Task<Uri> CreateUploadUrlAsync(string bucket, string key, TimeSpan validity, CancellationToken cancellationToken)
    {
        var path = Describe(bucket, key);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        return Task.FromResult(new Uri(path));
    }

    public Task<Uri> CreateDownloadUrlAsync(string bucket, string key, TimeSpan validity, CancellationToken cancellationToken) =>
        Task.FromResult(new Uri(Describe(bucket, key)));

    public Task<IUrlSigner> CreateUrlSignerAsync(string bucket, TimeSpan validity, CancellationToken cancellationToken) =>
        Task.FromResult<IUrlSigner>(new LocalUrlSigner(this, bucket));

    public Task UploadAsync(string bucket, string key, string path, CancellationToken cancellationToken)
    {
        var target = Describe(bucket, key);
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        // Copied aside, then moved in: a node that downloads meanwhile never reads half an object.
        var temporary = Aside(target);
        File.Copy(path, temporary, overwrite: true);
        File.Move(temporary, target, overwrite: true);
        return Task.CompletedTask;
    }

    public async Task PutAsync(string bucket, string key, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        var path = Describe(bucket, key);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temporary = Aside(path);
        await File.WriteAllBytesAsync(temporary, content, cancellationToken).ConfigureAwait(false);
        File.Move(temporary, path, overwrite: true);
    }

    public async Task<byte[]?> GetAsync(string bucket, string key, CancellationToken cancellationToken)
    {
        try
        {
            // Read to the end rather than to the length seen at open. A node writes an object beside it and renames
            // it into place, as atomic as a PUT on S3; a runner older than that rewrote it in place.
            var file = File.OpenRead(Describe(bucket, key));
            await using (file.ConfigureAwait(false))
            {
                using var content = new MemoryStream();
                await file.CopyToAsync(content, cancellationToken).ConfigureAwait(false);
                return content.ToArray();
            }
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    public async Task<VersionedObject?> GetVersionedAsync(string bucket, string key, CancellationToken cancellationToken) =>
        await GetAsync(bucket, key, cancellationToken).ConfigureAwait(false) is { } content ? new VersionedObject(content, ContentTag(content)) : null;

    /// <summary>
    /// Under an exclusive lock beside the object (flock, which every writer through this store takes), compares what
    /// is there with the version read, then replaces it by a rename, so that a reader never sees half an object.
    /// </summary>
    public async Task<string?> PutIfAsync(string bucket, string key, ReadOnlyMemory<byte> content, string? ifMatch, CancellationToken cancellationToken)
    {
        var path = Describe(bucket, key);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var gate = await LockAsync(path + ".lock", cancellationToken).ConfigureAwait(false);
        await using (gate.ConfigureAwait(false))
        {
            var current = File.Exists(path) ? await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false) : null;
            if (ifMatch is null ? current is not null : current is null || ContentTag(current) != ifMatch)
            {
                return null;
            }

            var temporary = path + ".tmp";
            await File.WriteAllBytesAsync(temporary, content, cancellationToken).ConfigureAwait(false);
            File.Move(temporary, path, overwrite: true);
            return ContentTag(content.ToArray());
        }
    }

    public Task<IReadOnlyList<StoredObject>> ListAsync(string bucket, string prefix, CancellationToken cancellationToken)
    {
        var root = Describe(bucket, "");
        // Only the prefix's folder is walked: status lists the queue's claims and the jobs' objects at every look of a
        // wait, and walking the whole bucket for each made every look cost twice the batch's files.
        var folder = Path.Combine(root, prefix[..(prefix.LastIndexOf('/') + 1)]);
        if (!Directory.Exists(folder))
        {
            return Task.FromResult<IReadOnlyList<StoredObject>>([]);
        }

        IReadOnlyList<StoredObject> objects = Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
            .Select(f => new FileInfo(f))
            .Select(f => (File: f, Key: Path.GetRelativePath(root, f.FullName).Replace(Path.DirectorySeparatorChar, '/')))
            .Where(f => f.Key.StartsWith(prefix, StringComparison.Ordinal) && !f.Key.EndsWith(".tmp", StringComparison.Ordinal) && !f.Key.EndsWith(".lock", StringComparison.Ordinal))
            .OrderBy(f => f.Key, StringComparer.Ordinal)
            .Select(f => new StoredObject(f.Key, f.File.Length, ETag(f.File), f.File.LastWriteTimeUtc))
            .ToList();
        return Task.FromResult(objects);
    }

    public async Task DownloadAsync(string bucket, string key, string path, CancellationToken cancellationToken)
    {
        var source = File.OpenRead(Describe(bucket, key));
        await using (source.ConfigureAwait(false))
        {
            var target = File.Create(path);
            await using (target.ConfigureAwait(false))
            {
                await source.CopyToAsync(target, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    public Task DeleteAsync(string bucket, string prefix, CancellationToken cancellationToken)
    {
        var root = Describe(bucket, "");
        var folder = Describe(bucket, prefix);
        if (Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }
        else if (File.Exists(folder))
        {
            // A prefix that is a whole key: that one object.
            File.Delete(folder);
        }

        // S3 has no empty folders: neither has this bucket, so that one emptied by deletes is empty.
        var parent = Path.GetDirectoryName(Path.GetFullPath(folder).TrimEnd(Path.DirectorySeparatorChar));
        var top = Path.GetFullPath(root).TrimEnd(Path.DirectorySeparatorChar);
        while (parent is not null && parent.Length > top.Length && parent.StartsWith(top, StringComparison.Ordinal)
            && Directory.Exists(parent) && !Directory.EnumerateFileSystemEntries(parent).Any())
        {
            Directory.Delete(parent);
            parent = Path.GetDirectoryName(parent);
        }

        if (Directory.Exists(root) && !Directory.EnumerateFileSystemEntries(root).Any() && File.Exists(CreatedMark(bucket)))
        {
            Directory.Delete(root);
            File.Delete(CreatedMark(bucket));
        }

        return Task.CompletedTask;
    }

    // Beside the bucket's folder, so that no key meets it; a bucket name holds no dot, so no bucket is called so.
    private string CreatedMark(string bucket) => Path.Combine(paths.Buckets, bucket + ".created-by-awsrunner");

    // .NET takes FileShare.None as an exclusive flock that fails at once when held: the writer waits its turn.
    private static async Task<FileStream> LockAsync(string path, CancellationToken cancellationToken)
    {
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (File.Exists(path))
            {
                await Task.Delay(TimeSpan.FromMilliseconds(10), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    // A conditional write compares content, as S3's ETag of a small object does: two writes within one tick of the file
    // system's clock, of the same size, would look like one by size and time.
    // The name an object is written under before it is renamed into place: the writer's own, since two processes may
    // write one key at once (two dispatches of a batch publish the same shared-bundle marker). The listing skips it.
    private static string Aside(string path) => $"{path}.{Guid.NewGuid():N}.tmp";

    private static string ContentTag(byte[] content) => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(content));

    // Size and write time change whenever curl rewrites the file, which is all an ETag has to promise here.
    private static string ETag(FileInfo file) =>
        file.Length.ToString(CultureInfo.InvariantCulture) + "-" + file.LastWriteTimeUtc.Ticks.ToString("x", CultureInfo.InvariantCulture);
}
