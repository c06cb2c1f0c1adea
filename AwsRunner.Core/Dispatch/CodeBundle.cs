using System.Formats.Tar;
using System.IO.Compression;
using System.Text;
using AwsRunner.Core.Node;

namespace AwsRunner.Core.Dispatch;

/// <summary>
/// The one tar.gz every node receives at create: the code folder as <c>code/</c>, the runner and INSTALL.sh in
/// <c>awsrunner/</c>. Built once into a temporary file and streamed to each node's shell.
/// </summary>
internal sealed class CodeBundle : IDisposable
{
    private CodeBundle(string path) => Path = path;

    public string Path { get; }

    /// <summary>The command that unpacks the bundle from standard input in the node's home.</summary>
    public static string UnpackCommand =>
        $"mkdir -p {NodeRunnerScript.Folder} {NodeRunnerScript.CodeFolder} && tar -xzf - --no-same-owner";

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
                    var tar = new TarWriter(gzip, TarEntryFormat.Pax, leaveOpen: true);
                    await using (tar.ConfigureAwait(false))
                    {
                        await WriteCodeAsync(tar, plan.CodeDirectory, cancellationToken).ConfigureAwait(false);
                        await WriteTextAsync(tar, NodeRunnerScript.Path, NodeRunnerScript.Content, cancellationToken).ConfigureAwait(false);
                        if (plan.InstallScript is not null)
                        {
                            await tar.WriteEntryAsync(plan.InstallScript, NodeRunnerScript.Folder + "/INSTALL.sh", cancellationToken).ConfigureAwait(false);
                        }
                    }
                }
            }

            return bundle;
        }
        catch
        {
            bundle.Dispose();
            throw;
        }
    }

    public Stream Open() => File.OpenRead(Path);

    public void Dispose() => File.Delete(Path);

    private static async Task WriteCodeAsync(TarWriter tar, string folder, CancellationToken cancellationToken)
    {
        var code = new CodeFolder(folder);
        foreach (var entry in code.Entries())
        {
            var name = NodeRunnerScript.CodeFolder + "/" + code.Relative(entry);
            await tar.WriteEntryAsync(entry.FullName, name, cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task WriteTextAsync(TarWriter tar, string name, string text, CancellationToken cancellationToken)
    {
        var entry = new PaxTarEntry(TarEntryType.RegularFile, name)
        {
            Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.OtherRead,
            DataStream = new MemoryStream(Encoding.UTF8.GetBytes(text)),
        };
        await tar.WriteEntryAsync(entry, cancellationToken).ConfigureAwait(false);
    }
}
