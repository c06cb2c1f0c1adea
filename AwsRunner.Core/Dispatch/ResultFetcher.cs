using System.Diagnostics.CodeAnalysis;
using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text.Json;
using AwsRunner.Core.Cloud;
using AwsRunner.Core.Jobs;

namespace AwsRunner.Core.Dispatch;

/// <summary>
/// Brings finished jobs home: <c>OUT/0007/</c> gets status.json, job.log and the results unpacked. Jobs are fetched
/// in parallel as <see cref="FetchPlan"/> lists them, each its results archive first: nodes pack status.json and
/// job.log into it as well, so those are downloaded on their own only when the unpacked copy is not the object's
/// content (an older node's archive, or a log that grew after packing). What an earlier fetch brought (same ETag and
/// size) is skipped, the manifest too, so a fetch with nothing new downloads nothing.
/// </summary>
internal sealed class ResultFetcher(CloudConnection connection)
{
    private const int Parallelism = 8;

    private readonly ManifestStore manifests = new(connection.Results);

    public async Task<FetchResult> FetchAsync(string name, string bucket, string output, CancellationToken cancellationToken)
    {
        // The whole batch in one listing: the manifest's entry says whether the copy kept here is still current.
        var listing = await connection.Results.ListAsync(bucket, ResultKeys.Batch(name), cancellationToken).ConfigureAwait(false);
        Directory.CreateDirectory(output);
        var index = FetchIndex.Load(output);
        var manifest = await ReadManifestAsync(bucket, name, listing, output, index, cancellationToken).ConfigureAwait(false);
        var finished = FetchPlan.Of(name, manifest, listing);

        int downloaded = 0, skipped = 0;
        long bytes = 0;
        try
        {
            await Parallel.ForEachAsync(finished, new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken }, async (job, token) =>
            {
                foreach (var stored in job)
                {
                    if (await FetchObjectAsync(bucket, name, stored, output, index, token).ConfigureAwait(false))
                    {
                        Interlocked.Increment(ref downloaded);
                        Interlocked.Add(ref bytes, stored.Size);
                    }
                    else
                    {
                        Interlocked.Increment(ref skipped);
                    }
                }
            }).ConfigureAwait(false);
        }
        finally
        {
            index.Save();
        }

        var jobs = manifest.Rows.Select(r => new FetchedJob(r.Index, ReadExitCode(output, r.Index))).ToList();
        return new FetchResult(Path.GetFullPath(output), jobs, downloaded, skipped, bytes);
    }

    private async Task<BatchManifest> ReadManifestAsync(
        string bucket, string name, IReadOnlyList<StoredObject> listing, string output, FetchIndex index, CancellationToken cancellationToken)
    {
        var copy = Path.Combine(output, $".awsrunner-manifest-{name}.json");
        var stored = listing.FirstOrDefault(o => o.Key == ResultKeys.Manifest(name));
        if (stored is not null && index.Has(stored.Key, stored.ETag, stored.Size) && HasSize(copy, stored.Size))
        {
            return BatchManifest.FromBytes(await File.ReadAllBytesAsync(copy, cancellationToken).ConfigureAwait(false));
        }

        var bytes = await manifests.RequireBytesAsync(bucket, name, cancellationToken).ConfigureAwait(false);
        var manifest = BatchManifest.FromBytes(bytes);
        if (stored is not null)
        {
            await File.WriteAllBytesAsync(copy, bytes, cancellationToken).ConfigureAwait(false);
            index.Add(stored.Key, stored.ETag, stored.Size);
        }

        return manifest;
    }

    private async Task<bool> FetchObjectAsync(string bucket, string name, StoredObject stored, string output, FetchIndex index, CancellationToken cancellationToken)
    {
        ResultKeys.TryParseJobKey(name, stored.Key, out var job, out var file);
        var folder = Path.Combine(output, JobIndex.Format(job));
        var target = Path.Combine(folder, file);
        var isResults = file == ResultKeys.Results;
        if (index.Has(stored.Key, stored.ETag, stored.Size) && (isResults || HasSize(target, stored.Size)))
        {
            return false;
        }

        if (!isResults && await HoldsContentAsync(target, stored, cancellationToken).ConfigureAwait(false))
        {
            index.Add(stored.Key, stored.ETag, stored.Size);
            return false;
        }

        Directory.CreateDirectory(folder);
        var part = Path.Combine(folder, "." + file + ".part");
        await connection.Results.DownloadAsync(bucket, stored.Key, part, cancellationToken).ConfigureAwait(false);
        if (isResults)
        {
            await UnpackAsync(part, folder, cancellationToken).ConfigureAwait(false);
            File.Delete(part);
        }
        else
        {
            File.Move(part, target, overwrite: true);
        }

        index.Add(stored.Key, stored.ETag, stored.Size);
        return true;
    }

    [SuppressMessage("Security", "CA5351:Do Not Use Broken Cryptographic Algorithms", Justification = "MD5 is what the store reports content by; it compares copies and protects nothing.")]
    private static async Task<bool> HoldsContentAsync(string path, StoredObject stored, CancellationToken cancellationToken)
    {
        if (stored.ContentMd5 is null || !HasSize(path, stored.Size))
        {
            return false;
        }

        var file = File.OpenRead(path);
        await using (file.ConfigureAwait(false))
        {
            var md5 = await MD5.HashDataAsync(file, cancellationToken).ConfigureAwait(false);
            return Convert.ToHexStringLower(md5) == stored.ContentMd5;
        }
    }

    private static bool HasSize(string path, long size) => File.Exists(path) && new FileInfo(path).Length == size;

    private static async Task UnpackAsync(string archive, string folder, CancellationToken cancellationToken)
    {
        var file = File.OpenRead(archive);
        await using (file.ConfigureAwait(false))
        {
            var gzip = new GZipStream(file, CompressionMode.Decompress);
            await using (gzip.ConfigureAwait(false))
            {
                // ExtractToDirectory refuses entries that would land outside the folder.
                await TarFile.ExtractToDirectoryAsync(gzip, folder, overwriteFiles: true, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private static int? ReadExitCode(string output, int index)
    {
        var path = Path.Combine(output, JobIndex.Format(index), ResultKeys.Status);
        try
        {
            return File.Exists(path)
                ? JsonSerializer.Deserialize<StatusDocument>(File.ReadAllBytes(path), BatchManifest.Json)?.ExitCode
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
