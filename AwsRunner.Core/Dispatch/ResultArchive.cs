using System.Formats.Tar;
using System.IO.Compression;
using AwsRunner.Core.Jobs;

namespace AwsRunner.Core.Dispatch;

/// <summary>
/// Unpacks a job's results archive, which a node made and so is trusted in nothing: regular files and folders only
/// (no links, devices or fifos), every path inside the job's folder, at most so many bytes. The archive is unpacked
/// whole into a folder of its own first, so one that breaks a rule leaves the job's folder as it was; its files are
/// then moved into place, never through a link the job's folder may hold. Every refusal is an
/// <see cref="InvalidDataException"/> that says what was wrong.
/// </summary>
internal static class ResultArchive
{
    // A tar header's size, counted beside each entry's data so that an archive of countless empty files stops too.
    private const long HeaderBytes = 512;

    private const UnixFileMode KeptMode =
        UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
        | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;

    /// <summary>
    /// Unpacks <paramref name="archive"/> into <paramref name="folder"/> through the empty <paramref name="staging"/>
    /// folder; a file at a path of <paramref name="leave"/> is not unpacked (the job's own object is authoritative).
    /// </summary>
    /// <returns>The files it brought, relative to <paramref name="folder"/>, and their sizes.</returns>
    public static async Task<IReadOnlyDictionary<string, long>> UnpackAsync(
        string archive, string staging, string folder, long maxBytes, IReadOnlySet<string> leave, CancellationToken cancellationToken)
    {
        var (files, folders) = await ExtractAsync(archive, staging, maxBytes, cancellationToken).ConfigureAwait(false);
        foreach (var relative in leave)
        {
            files.Remove(relative);
        }

        foreach (var relative in folders)
        {
            EnsureFolder(folder, relative);
        }

        foreach (var relative in files.Keys)
        {
            if (Path.GetDirectoryName(relative) is { Length: > 0 } parent)
            {
                EnsureFolder(folder, parent);
            }

            var target = Path.Combine(folder, relative);
            if (Directory.Exists(target) && new DirectoryInfo(target).LinkTarget is null)
            {
                throw new InvalidDataException($"\"{relative}\" is a file in the archive and a folder in {folder}");
            }

            // A rename replaces a link that stands at the target; it never writes through it.
            File.Move(Path.Combine(staging, relative), target, overwrite: true);
        }

        return files;
    }

    private static async Task<(Dictionary<string, long> Files, List<string> Folders)> ExtractAsync(
        string archive, string staging, long maxBytes, CancellationToken cancellationToken)
    {
        var files = new Dictionary<string, long>(StringComparer.Ordinal);
        var folders = new List<string>();
        long total = 0;
        var file = File.OpenRead(archive);
        await using (file.ConfigureAwait(false))
        {
            var gzip = new GZipStream(file, CompressionMode.Decompress);
            await using (gzip.ConfigureAwait(false))
            {
                var reader = new TarReader(gzip);
                await using (reader.ConfigureAwait(false))
                {
                    while (await reader.GetNextEntryAsync(copyData: false, cancellationToken).ConfigureAwait(false) is { } entry)
                    {
                        // Settings for the entries that follow; it names no file.
                        if (entry.EntryType == TarEntryType.GlobalExtendedAttributes)
                        {
                            continue;
                        }

                        var relative = RelativePath(entry.Name);
                        total += HeaderBytes + entry.Length;
                        if (total > maxBytes)
                        {
                            throw new InvalidDataException($"it unpacks to more than {BatchPlanner.Bytes(maxBytes)} (FetchOptions.MaxResultBytes)");
                        }

                        if (entry.EntryType == TarEntryType.Directory)
                        {
                            if (relative is not null)
                            {
                                Stage(entry, () => Directory.CreateDirectory(Path.Combine(staging, relative)));
                                folders.Add(relative);
                            }
                        }
                        else if (entry.EntryType is TarEntryType.RegularFile or TarEntryType.V7RegularFile && relative is not null)
                        {
                            await WriteAsync(entry, Path.Combine(staging, relative), cancellationToken).ConfigureAwait(false);
                            files[relative] = entry.Length;
                        }
                        else
                        {
                            throw new InvalidDataException($"entry \"{JobFileReader.Shorten(entry.Name)}\" is {Kind(entry)}: fetch unpacks regular files and folders only");
                        }
                    }
                }
            }
        }

        return (files, folders);
    }

    /// <summary>The entry's path with <c>.</c> and empty parts left out; null for the archive's own top folder.</summary>
    private static string? RelativePath(string name)
    {
        if (name.StartsWith('/'))
        {
            throw new InvalidDataException($"entry \"{JobFileReader.Shorten(name)}\" has an absolute path");
        }

        var parts = name.Split('/').Where(p => p.Length > 0 && p != ".").ToList();
        if (parts.Contains(".."))
        {
            throw new InvalidDataException($"entry \"{JobFileReader.Shorten(name)}\" leads out of the job's folder (..)");
        }

        return parts.Count == 0 ? null : string.Join('/', parts);
    }

    private static async Task WriteAsync(TarEntry entry, string path, CancellationToken cancellationToken)
    {
        Stage(entry, () => Directory.CreateDirectory(Path.GetDirectoryName(path)!));
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            // No set-id or sticky bit, nothing others may write: the node chose the mode, this machine keeps it safe.
            options.UnixCreateMode = (entry.Mode & KeptMode) | UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        FileStream target;
        try
        {
            target = new FileStream(path, options);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidDataException($"entry \"{JobFileReader.Shorten(entry.Name)}\" cannot be unpacked: {e.Message}", e);
        }

        await using (target.ConfigureAwait(false))
        {
            if (entry.DataStream is { } data)
            {
                await data.CopyToAsync(target, cancellationToken).ConfigureAwait(false);
            }
        }

        File.SetLastWriteTimeUtc(path, entry.ModificationTime.UtcDateTime);
    }

    /// <summary>Creates what an entry needs in the staging folder; a clash there (a file where a folder goes) is the archive's.</summary>
    private static void Stage(TarEntry entry, Action create)
    {
        try
        {
            create();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidDataException($"entry \"{JobFileReader.Shorten(entry.Name)}\" cannot be unpacked: {e.Message}", e);
        }
    }

    /// <summary>Creates a folder inside <paramref name="root"/> part by part, refusing to go through a link or a file.</summary>
    private static void EnsureFolder(string root, string relative)
    {
        var current = root;
        foreach (var part in relative.Split('/'))
        {
            current = Path.Combine(current, part);
            var folder = new DirectoryInfo(current);
            if (folder.LinkTarget is not null)
            {
                throw new InvalidDataException($"{current} is a link: fetch does not write through links (remove it, then fetch again)");
            }

            if (File.Exists(current))
            {
                throw new InvalidDataException($"{current} is a file where the archive has a folder (remove it, then fetch again)");
            }

            if (!folder.Exists)
            {
                folder.Create();
            }
        }
    }

    private static string Kind(TarEntry entry) => entry.EntryType switch
    {
        TarEntryType.SymbolicLink => $"a symbolic link (to {JobFileReader.Shorten(entry.LinkName)})",
        TarEntryType.HardLink => $"a hard link (to {JobFileReader.Shorten(entry.LinkName)})",
        TarEntryType.CharacterDevice or TarEntryType.BlockDevice => "a device file",
        TarEntryType.Fifo => "a fifo",
        TarEntryType.RegularFile or TarEntryType.V7RegularFile => "a file without a name",
        _ => $"of tar type {entry.EntryType}",
    };
}
