using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using AwsRunner.Core.Node;

namespace AwsRunner.Core.Dispatch;

/// <summary>
/// The one tar.gz every node installs from: the code folder as <c>code/</c> and INSTALL.sh in <c>awsrunner/</c>.
/// Built once into a temporary file, uploaded once to the bucket under its SHA-256, and fetched by each node itself.
/// The same code gives the same bytes (entries in order, no owner, no times), so a re-run or another batch with the
/// same code finds it there already.
/// </summary>
internal sealed class CodeBundle : IDisposable
{
    // A fixed time for every entry: the file's own would give new bytes (and a new upload) after every checkout.
    private static readonly DateTimeOffset EntryTime = DateTimeOffset.UnixEpoch;

    private CodeBundle(string path) => Path = path;

    public string Path { get; }

    /// <summary>The SHA-256 of the file, in lower-case hex, as <c>sha256sum</c> prints it.</summary>
    public string Sha256 { get; private set; } = "";

    public static async Task<CodeBundle> BuildAsync(BatchPlan plan, CancellationToken cancellationToken)
    {
        var path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"awsrunner-{plan.Name}-{Guid.NewGuid():N}.tar.gz");
        var bundle = new CodeBundle(path);
        try
        {
            // Owner only: the bundle is the code folder, whatever it holds.
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }

            var file = new FileStream(path, options);
            await using (file.ConfigureAwait(false))
            {
                var gzip = new GZipStream(file, CompressionLevel.Fastest);
                await using (gzip.ConfigureAwait(false))
                {
                    // GNU entries: a PAX entry's extended header is named after this process's id, which would give
                    // the same code another SHA-256 in every process, and a batch is pinned to its bundle's.
                    var tar = new TarWriter(gzip, TarEntryFormat.Gnu, leaveOpen: true);
                    await using (tar.ConfigureAwait(false))
                    {
                        await WriteCodeAsync(tar, plan.CodeDirectory, cancellationToken).ConfigureAwait(false);
                        if (plan.InstallScript is not null)
                        {
                            await WriteFileAsync(tar, new FileInfo(plan.InstallScript), NodeRunnerScript.Folder + "/INSTALL.sh", cancellationToken).ConfigureAwait(false);
                        }
                    }
                }
            }

            var content = File.OpenRead(path);
            await using (content.ConfigureAwait(false))
            {
                bundle.Sha256 = Convert.ToHexStringLower(await SHA256.HashDataAsync(content, cancellationToken).ConfigureAwait(false));
            }

            return bundle;
        }
        catch
        {
            bundle.Dispose();
            throw;
        }
    }

    public void Dispose() => File.Delete(Path);

    private static async Task WriteCodeAsync(TarWriter tar, string folder, CancellationToken cancellationToken)
    {
        var code = new CodeFolder(folder);
        foreach (var entry in code.Entries())
        {
            var name = NodeRunnerScript.CodeFolder + "/" + code.Relative(entry);
            if (entry.LinkTarget is { } target)
            {
                await WriteAsync(tar, TarEntryType.SymbolicLink, name, entry, target, null, cancellationToken).ConfigureAwait(false);
            }
            else if (entry is DirectoryInfo)
            {
                await WriteAsync(tar, TarEntryType.Directory, name, entry, null, null, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await WriteFileAsync(tar, (FileInfo)entry, name, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private static async Task WriteFileAsync(TarWriter tar, FileInfo file, string name, CancellationToken cancellationToken)
    {
        var data = file.OpenRead();
        await using (data.ConfigureAwait(false))
        {
            await WriteAsync(tar, TarEntryType.RegularFile, name, file, null, data, cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task WriteAsync(
        TarWriter tar, TarEntryType type, string name, FileSystemInfo source, string? linkTarget, Stream? data, CancellationToken cancellationToken)
    {
        // Every time the same, never the file's own.
        var entry = new GnuTarEntry(type, name)
        {
            Mode = OperatingSystem.IsWindows() ? DefaultMode(type) : source.UnixFileMode,
            ModificationTime = EntryTime,
            AccessTime = EntryTime,
            ChangeTime = EntryTime,
        };
        // Only a regular file takes a data stream: a folder or a link refuses even a null one.
        if (data is not null)
        {
            entry.DataStream = data;
        }

        if (linkTarget is not null)
        {
            entry.LinkName = linkTarget;
        }

        await tar.WriteEntryAsync(entry, cancellationToken).ConfigureAwait(false);
    }

    private static UnixFileMode DefaultMode(TarEntryType type) =>
        UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead
        | (type == TarEntryType.RegularFile ? 0 : UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
}
