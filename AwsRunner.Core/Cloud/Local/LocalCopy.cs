namespace AwsRunner.Core.Cloud.Local;

/// <summary>Copies a file or a folder on this machine the way <c>scp -r</c> does, telling how far each file has come.</summary>
internal static class LocalCopy
{
    private const int ChunkSize = 1 << 20;

    /// <summary>
    /// Copies <paramref name="source"/> into <paramref name="destination"/> when that is a folder that exists, else as
    /// it; with <paramref name="makeFolders"/>, first makes the destination's parent (or the destination, when it ends
    /// with a slash), as <c>rsync --mkpath</c> does.
    /// </summary>
    /// <returns>A task that completes when every file is copied.</returns>
    /// <exception cref="CloudException">The source does not exist, or the destination's folder does not.</exception>
    public static async Task CopyAsync(
        string source, string destination, string attempting, IProgress<CopyProgress>? progress, CancellationToken cancellationToken, bool makeFolders = false)
    {
        var folder = Directory.Exists(source);
        if (!folder && !File.Exists(source))
        {
            throw new CloudException("CopyFailed", attempting, $"{source}: no such file or folder");
        }

        if (makeFolders)
        {
            Directory.CreateDirectory(Path.EndsInDirectorySeparator(destination) ? destination : Path.GetDirectoryName(Path.GetFullPath(destination))!);
        }

        var target = Directory.Exists(destination)
            ? Path.Combine(destination, Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(source))))
            : destination;
        if (!Directory.Exists(Path.GetDirectoryName(Path.GetFullPath(target))))
        {
            throw new CloudException("CopyFailed", attempting, $"{Path.GetDirectoryName(target)}: no such folder");
        }

        if (!folder)
        {
            await CopyFileAsync(source, target, progress, cancellationToken).ConfigureAwait(false);
            return;
        }

        foreach (var entry in new DirectoryInfo(source).EnumerateFileSystemInfos("*", SearchOption.AllDirectories))
        {
            var copy = Path.Combine(target, Path.GetRelativePath(source, entry.FullName));
            if (entry is DirectoryInfo)
            {
                Directory.CreateDirectory(copy);
                continue;
            }

            Directory.CreateDirectory(Path.GetDirectoryName(copy)!);
            await CopyFileAsync(entry.FullName, copy, progress, cancellationToken).ConfigureAwait(false);
        }

        Directory.CreateDirectory(target);
    }

    private static async Task CopyFileAsync(string source, string target, IProgress<CopyProgress>? progress, CancellationToken cancellationToken)
    {
        var from = File.OpenRead(source);
        await using (from.ConfigureAwait(false))
        {
            var to = File.Create(target);
            await using (to.ConfigureAwait(false))
            {
                var name = Path.GetFileName(source);
                var buffer = new byte[ChunkSize];
                long copied = 0;
                int read;
                while ((read = await from.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
                {
                    await to.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                    copied += read;
                    progress?.Report(new CopyProgress { File = name, Copied = copied, Size = from.Length });
                }

                if (copied == 0)
                {
                    progress?.Report(new CopyProgress { File = name, Copied = 0, Size = 0 });
                }
            }
        }

        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(target, File.GetUnixFileMode(source));
        }
    }
}
