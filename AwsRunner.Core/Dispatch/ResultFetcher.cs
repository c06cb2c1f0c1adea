using System.Formats.Tar;
using System.IO.Compression;
using System.Text.Json;
using AwsRunner.Core.Cloud;
using AwsRunner.Core.Jobs;

namespace AwsRunner.Core.Dispatch;

/// <summary>
/// Brings finished jobs home: <c>OUT/0007/</c> gets status.json, job.log and the results unpacked. Objects are
/// downloaded in parallel and skipped when an earlier fetch already has them (same ETag and size).
/// </summary>
internal sealed class ResultFetcher(CloudConnection connection)
{
    private const int Parallelism = 8;
    private readonly ManifestStore manifests = new(connection.Results);

    public async Task<FetchResult> FetchAsync(string name, string bucket, string output, CancellationToken cancellationToken)
    {
        var manifest = await manifests.RequireAsync(bucket, name, cancellationToken).ConfigureAwait(false);
        var objects = (await connection.Results.ListAsync(bucket, ResultKeys.Jobs(name), cancellationToken).ConfigureAwait(false))
            .Select(o => ResultKeys.TryParseJobKey(name, o.Key, out var index, out var file) ? (index, file, o) : default)
            .Where(x => x.o is not null)
            .ToLookup(x => x.index, x => (x.file, x.o));
        Directory.CreateDirectory(output);
        var index = FetchIndex.Load(output);

        // Only finished jobs: the node writes status.json last, so its presence means the rest is complete.
        var wanted = manifest.Rows
            .Select(r => objects[r.Index].ToDictionary(x => x.file, x => x.o, StringComparer.Ordinal))
            .Where(files => files.ContainsKey(ResultKeys.Status))
            .SelectMany(files => new[] { ResultKeys.Status, ResultKeys.Log, ResultKeys.Results }
                .Where(files.ContainsKey)
                .Select(file => files[file]))
            .ToList();

        int downloaded = 0, skipped = 0;
        long bytes = 0;
        try
        {
            await Parallel.ForEachAsync(wanted, new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken }, async (stored, token) =>
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
            }).ConfigureAwait(false);
        }
        finally
        {
            index.Save();
        }

        var jobs = manifest.Rows.Select(r => new FetchedJob(r.Index, ReadExitCode(output, r.Index))).ToList();
        return new FetchResult(Path.GetFullPath(output), jobs, downloaded, skipped, bytes);
    }

    private async Task<bool> FetchObjectAsync(string bucket, string name, StoredObject stored, string output, FetchIndex index, CancellationToken cancellationToken)
    {
        ResultKeys.TryParseJobKey(name, stored.Key, out var job, out var file);
        var folder = Path.Combine(output, JobIndex.Format(job));
        var target = Path.Combine(folder, file);
        var isResults = file == ResultKeys.Results;
        if (index.Has(stored.Key, stored.ETag, stored.Size) && (isResults || (File.Exists(target) && new FileInfo(target).Length == stored.Size)))
        {
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
