using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text.Json;
using AwsRunner.Core.Cloud;
using AwsRunner.Core.Jobs;
using AwsRunner.Core.Ledger;

namespace AwsRunner.Core.Dispatch;

/// <summary>
/// Brings finished jobs home: <c>OUT/0007/</c> gets status.json, job.log and the results unpacked. Jobs are fetched
/// in parallel as <see cref="FetchPlan"/> lists them, each its status.json first: it records the archive's size and
/// SHA-256, which the downloaded archive must have before anything of it is unpacked (a truncated or damaged one is
/// reported for its job, never counted as succeeded). Nodes pack job.log into the archive as well, so the log is
/// downloaded on its own only when the unpacked copy is not the object's content (a log that grew after packing).
/// What an earlier fetch brought (same ETag and size, and for an archive every file it unpacked still here) is
/// skipped, so a fetch with nothing new downloads nothing. What a node uploaded is trusted in
/// nothing (<see cref="ResultArchive"/>, a size cap): a job whose upload breaks a rule is reported with what was
/// wrong, and the other jobs are fetched all the same.
/// </summary>
internal sealed class ResultFetcher(CloudConnection connection)
{
    private const int Parallelism = 8;

    // Downloads and unpacking happen here, beside the jobs' folders and never inside one, so no name in an archive
    // can meet them; a dot cannot start a job's folder name.
    private const string WorkFolder = ".awsrunner-unpacking";

    private static readonly HashSet<string> StatusOnly = new(StringComparer.Ordinal) { ResultKeys.Status };

    public async Task<FetchResult> FetchAsync(BatchLedger ledger, string output, FetchOptions options, CancellationToken cancellationToken)
    {
        var (name, bucket, manifest) = (ledger.Name, ledger.Bucket, ledger.Document);
        // The whole batch in one listing.
        var listing = await connection.Results.ListAsync(bucket, ResultKeys.Jobs(name), cancellationToken).ConfigureAwait(false);
        Directory.CreateDirectory(output);
        var index = FetchIndex.Load(output);
        var current = CurrentAttempts.Of(manifest, await connection.Results.ListAsync(bucket, ResultKeys.QueueRows(name), cancellationToken).ConfigureAwait(false));
        var finished = FetchPlan.Of(name, current, listing);
        // Archives over the part size went up as their nodes' part objects, which each attempt's status.json lists.
        var parts = (await connection.Results.ListAsync(bucket, ResultKeys.Parts(name), cancellationToken).ConfigureAwait(false))
            .ToDictionary(o => o.Key, StringComparer.Ordinal);

        int downloaded = 0, skipped = 0;
        long bytes = 0;
        var errors = new ConcurrentDictionary<int, string>();
        var fetched = new ConcurrentDictionary<int, int>();
        var archives = 0;
        try
        {
            await Parallel.ForEachAsync(finished, new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken }, async (job, token) =>
            {
                var jobIndex = FetchPlan.Place(name, current, job[0]).Job;
                var work = Path.Combine(output, WorkFolder, JobIndex.Format(jobIndex));
                var places = job.Select(o => FetchPlan.Place(name, current, o)).ToList();

                // One object, or the parts of one archive; the first problem names the job's trouble, and its other
                // objects are still worth having (the log says why).
                async Task FetchAsync(IReadOnlyList<StoredObject> pieces, string place, string file, string described)
                {
                    try
                    {
                        var separate = places.Where(p => p.Folder == place && p.File != file).Select(p => p.File).ToHashSet(StringComparer.Ordinal);
                        if (await FetchObjectAsync(bucket, pieces, place, file, separate, output, work, index, options.MaxResultBytes, token).ConfigureAwait(false))
                        {
                            Interlocked.Add(ref downloaded, pieces.Count);
                            Interlocked.Add(ref bytes, pieces.Sum(p => p.Size));
                            fetched.AddOrUpdate(jobIndex, pieces.Count, (_, count) => count + pieces.Count);
                            if (file == ResultKeys.Results)
                            {
                                Interlocked.Increment(ref archives);
                            }
                        }
                        else
                        {
                            Interlocked.Add(ref skipped, pieces.Count);
                        }
                    }
                    catch (Exception e) when (e is InvalidDataException or EndOfStreamException or FormatException)
                    {
                        errors.TryAdd(jobIndex, $"{described}: {e.Message}");
                    }
                }

                try
                {
                    SetEarlierAttemptAside(output, work, jobIndex, current[jobIndex]);
                    foreach (var (stored, (_, place, file)) in job.Zip(places))
                    {
                        await FetchAsync([stored], place, file, connection.Results.Describe(bucket, stored.Key)).ConfigureAwait(false);
                    }

                    foreach (var place in places.Where(p => p.File == ResultKeys.Status).Select(p => p.Folder))
                    {
                        var status = Path.Combine(output, place, ResultKeys.Status);
                        if (PackedBy(Path.Combine(output, place)) is { Parts.Count: > 0 } packed)
                        {
                            var described = $"the results of {connection.Results.Describe(bucket, ResultKeys.Jobs(name) + place + "/")}";
                            try
                            {
                                var pieces = ListedParts(name, StatusDocument.Read(File.ReadAllBytes(status)).Node, packed, parts);
                                await FetchAsync(pieces, place, ResultKeys.Results, described).ConfigureAwait(false);
                            }
                            catch (InvalidDataException e)
                            {
                                errors.TryAdd(jobIndex, $"{described}: {e.Message}");
                            }
                        }
                    }
                }
                catch (InvalidDataException e)
                {
                    // A status.json that says parts but cannot be read again: said for the job, as any other problem.
                    errors.TryAdd(jobIndex, e.Message);
                }
                finally
                {
                    DeleteFolder(work);
                }
            }).ConfigureAwait(false);
        }
        finally
        {
            index.Save();
            DeleteFolder(Path.Combine(output, WorkFolder));
        }

        var jobs = manifest.Rows
            .Select(r => Fetched(r.Index, ReadStatus(output, r.Index), errors.GetValueOrDefault(r.Index), fetched.GetValueOrDefault(r.Index)))
            .ToList();
        return new FetchResult { OutputDirectory = Path.GetFullPath(output), Jobs = jobs, Downloaded = downloaded, Skipped = skipped, Bytes = bytes, ArchivesDownloaded = archives };
    }

    /// <summary>
    /// Fetches one object, or the parts of one archive, into <paramref name="place"/> as <paramref name="file"/>; false
    /// when what it holds is here already. <paramref name="separate"/> are the attempt's other files, fetched on their
    /// own, which an archive's copies do not replace.
    /// </summary>
    private async Task<bool> FetchObjectAsync(
        string bucket, IReadOnlyList<StoredObject> pieces, string place, string file, HashSet<string> separate, string output, string work,
        FetchIndex index, long maxBytes, CancellationToken cancellationToken)
    {
        var stored = pieces[0];
        var folder = Path.Combine(output, place);
        var target = Path.Combine(folder, file);
        var isArchive = file == ResultKeys.Results;
        // An archive in parts is known by its first part's key, and by every part's ETag and their sizes.
        var etag = string.Join(',', pieces.Select(p => p.ETag));
        var size = pieces.Sum(p => p.Size);
        if (isArchive
                ? index.HasUnpacked(stored.Key, etag, size, folder)
                : index.Has(stored.Key, etag, size) && HasSize(target, size))
        {
            return false;
        }

        if (!isArchive && await HoldsContentAsync(target, stored, cancellationToken).ConfigureAwait(false))
        {
            index.Add(stored.Key, etag, size);
            return false;
        }

        CheckSize(size, maxBytes);
        // What the node packed, from the status.json fetched before it; null from an older runner, which did not say.
        var packed = isArchive ? PackedBy(folder) : null;
        if (packed is not null)
        {
            CheckListed(pieces, packed);
        }
        else if (pieces.Count > 1)
        {
            throw new InvalidDataException("its parts cannot be joined: status.json does not say how its node packed them");
        }

        DeleteFolder(work);
        Directory.CreateDirectory(work);
        Directory.CreateDirectory(folder);
        var downloaded = Path.Combine(work, isArchive ? ResultKeys.Results : file);
        await DownloadAsync(bucket, pieces, downloaded, work, cancellationToken).ConfigureAwait(false);
        CheckSize(new FileInfo(downloaded).Length, maxBytes);
        if (isArchive)
        {
            if (packed is not null)
            {
                await CheckPackedAsync(downloaded, packed, cancellationToken).ConfigureAwait(false);
            }

            // An older runner packed status.json too: the object, which the archive was checked against, stays.
            var unpacked = await ResultArchive.UnpackAsync(
                downloaded, Path.Combine(work, "unpacked"), folder, maxBytes, StatusOnly, cancellationToken).ConfigureAwait(false);
            // The job's other objects are fetched on their own and may replace what the archive held of them (a log
            // that grew after packing): they are theirs to check, not the archive's.
            index.Add(stored.Key, etag, size, unpacked.Where(f => !separate.Contains(f.Key)).ToDictionary(StringComparer.Ordinal));
        }
        else
        {
            if (Directory.Exists(target))
            {
                throw new InvalidDataException($"{target} is a folder (remove it, then fetch again)");
            }

            File.Move(downloaded, target, overwrite: true);
            index.Add(stored.Key, etag, size);
        }

        return true;
    }

    /// <summary>Downloads an object, or the parts of an archive one after the other, joined into one file.</summary>
    private async Task DownloadAsync(string bucket, IReadOnlyList<StoredObject> pieces, string path, string work, CancellationToken cancellationToken)
    {
        if (pieces.Count == 1)
        {
            await connection.Results.DownloadAsync(bucket, pieces[0].Key, path, cancellationToken).ConfigureAwait(false);
            return;
        }

        var part = Path.Combine(work, "part");
        var joined = File.Create(path);
        await using (joined.ConfigureAwait(false))
        {
            foreach (var piece in pieces)
            {
                await connection.Results.DownloadAsync(bucket, piece.Key, part, cancellationToken).ConfigureAwait(false);
                var source = File.OpenRead(part);
                await using (source.ConfigureAwait(false))
                {
                    await source.CopyToAsync(joined, cancellationToken).ConfigureAwait(false);
                }
            }
        }

        File.Delete(part);
    }

    /// <summary>
    /// The parts an attempt's status.json lists, as the bucket lists them, in order. A node names only parts of its own:
    /// a key outside its <c>NAME/parts/NODE/</c>, or one not in the bucket, leaves the archive unfetched.
    /// </summary>
    private static List<StoredObject> ListedParts(string batch, string? node, PackedArchive packed, IReadOnlyDictionary<string, StoredObject> listed)
    {
        var own = node is null ? null : ResultKeys.NodeParts(batch, node);
        if (own is null || packed.Parts!.Any(k => !k.StartsWith(own, StringComparison.Ordinal) || k.Length == own.Length || k.IndexOf('/', own.Length) >= 0))
        {
            throw new InvalidDataException($"its status.json lists parts that are not its node's own ({own ?? "no node named"}): the archive is not fetched");
        }

        var pieces = packed.Parts!.Select(k => listed.GetValueOrDefault(k)).OfType<StoredObject>().ToList();
        return pieces.Count == packed.Parts!.Count
            ? pieces
            : throw new InvalidDataException($"{pieces.Count} of the {packed.Parts!.Count} parts its node packed are in the bucket: the archive is not whole");
    }

    /// <summary>The bucket holds what the node packed: the one archive, or every part, each of the part size but the last.</summary>
    private static void CheckListed(IReadOnlyList<StoredObject> pieces, PackedArchive packed)
    {
        if (packed.Parts is { Count: > 0 } && pieces.SkipLast(1).Any(p => p.Size != packed.PartBytes))
        {
            throw new InvalidDataException($"a part is not of its node's part size, {packed.PartBytes} bytes: the archive is not whole");
        }

        var size = pieces.Sum(p => p.Size);
        if (size != packed.Bytes)
        {
            throw new InvalidDataException($"it holds {size} bytes, but its node packed {packed.Bytes} (status.json): the archive is not whole");
        }
    }

    /// <summary>The archive's record in the job's status.json, fetched into its folder before it; an error when that does not parse.</summary>
    private static PackedArchive? PackedBy(string folder)
    {
        var path = Path.Combine(folder, ResultKeys.Status);
        if (!File.Exists(path))
        {
            return null;
        }

        var status = StatusDocument.Read(File.ReadAllBytes(path));
        return status.Unreadable
            ? throw new InvalidDataException("its status.json cannot be read, so the archive cannot be checked: it is not unpacked")
            : status.Archive;
    }

    /// <summary>The downloaded archive is the one its node packed: the same size and SHA-256.</summary>
    private static async Task CheckPackedAsync(string path, PackedArchive packed, CancellationToken cancellationToken)
    {
        var file = File.OpenRead(path);
        await using (file.ConfigureAwait(false))
        {
            if (file.Length != packed.Bytes)
            {
                throw new InvalidDataException($"{file.Length} bytes came down, but its node packed {packed.Bytes} (status.json): the archive is not whole");
            }

            var sha256 = Convert.ToHexStringLower(await SHA256.HashDataAsync(file, cancellationToken).ConfigureAwait(false));
            if (!string.Equals(sha256, packed.Sha256, StringComparison.OrdinalIgnoreCase))
            {
                throw new InvalidDataException($"its SHA-256 is {sha256}, but its node packed {packed.Sha256} (status.json): the archive is damaged");
            }
        }
    }

    private static void CheckSize(long size, long maxBytes)
    {
        if (size > maxBytes)
        {
            throw new InvalidDataException($"it holds {BatchPlanner.Bytes(size)}, more than {BatchPlanner.Bytes(maxBytes)} (FetchOptions.MaxResultBytes)");
        }
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

    /// <summary>
    /// Keeps <c>OUT/0007/</c> the current attempt's alone: when an earlier fetch filled it with another attempt (the row
    /// was retried since), that attempt is moved to <c>OUT/0007/attempt-K/</c> before anything of the current one is
    /// written, so that no file of it stays beside the current attempt's (a merge would take it). Which attempt the
    /// folder holds, its status.json says.
    /// </summary>
    private static void SetEarlierAttemptAside(string output, string work, int job, int current)
    {
        var folder = Path.Combine(output, JobIndex.Format(job));
        if (ReadStatus(output, job) is not { Unreadable: false } held || held.Attempt == current)
        {
            return;
        }

        var aside = work + ".earlier";
        DeleteFolder(aside);
        Directory.CreateDirectory(Path.GetDirectoryName(aside)!);
        Directory.Move(folder, aside);
        Directory.CreateDirectory(folder);
        foreach (var attempt in Directory.EnumerateDirectories(aside).Where(d => ResultKeys.IsAttemptName(Path.GetFileName(d))).ToList())
        {
            Directory.Move(attempt, Path.Combine(folder, Path.GetFileName(attempt)));
        }

        var earlier = Path.Combine(folder, ResultKeys.AttemptName(held.Attempt));
        if (Directory.Exists(earlier))
        {
            DeleteFolder(aside);
        }
        else
        {
            Directory.Move(aside, earlier);
        }
    }

    private static void DeleteFolder(string path)
    {
        if (Directory.Exists(path))
        {
            Directory.Delete(path, recursive: true);
        }
    }

    // A node that could not pack every result says so in status.json: that job's results are not whole.
    private static FetchedJob Fetched(int index, StatusDocument? status, string? error, int objectsDownloaded) => new()
    {
        Index = index,
        ExitCode = status?.ExitCode,
        Error = error
            ?? (status?.Unreadable == true ? "its status.json cannot be read: it is in the job's folder to look at" : null)
            ?? (status?.ResultsError is { } packing ? $"its node could not pack every result: {packing.Trim()}" : null),
        ObjectsDownloaded = objectsDownloaded,
    };

    private static StatusDocument? ReadStatus(string output, int index)
    {
        var path = Path.Combine(output, JobIndex.Format(index), ResultKeys.Status);
        return File.Exists(path) ? StatusDocument.Read(File.ReadAllBytes(path)) : null;
    }
}
