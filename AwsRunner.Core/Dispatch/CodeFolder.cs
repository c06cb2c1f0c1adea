using MAB.DotIgnore;

namespace AwsRunner.Core.Dispatch;

/// <summary>
/// The code folder as it goes to the nodes: everything in it, dotfiles too, but what its <c>.awsrunnerignore</c>
/// (gitignore syntax, in the folder itself) leaves out. The plan measures and checks what this selects, and the code
/// bundle packs exactly that. Links are listed as links and never followed.
/// </summary>
internal sealed class CodeFolder
{
    public const string IgnoreFile = ".awsrunnerignore";

    private static readonly EnumerationOptions OneLevel = new()
    {
        RecurseSubdirectories = false,
        AttributesToSkip = 0,
        IgnoreInaccessible = false,
    };

    private readonly IgnoreList ignores;

    public CodeFolder(string path)
    {
        Path = System.IO.Path.GetFullPath(path);
        var file = System.IO.Path.Combine(Path, IgnoreFile);
        ignores = File.Exists(file) ? new IgnoreList(file) : new IgnoreList();
    }

    /// <summary>The folder's full path.</summary>
    public string Path { get; }

    /// <summary>
    /// Every file, folder and link selected, each folder before what it holds, in ordinal order of names; an
    /// ignored folder is not entered at all.
    /// </summary>
    public IEnumerable<FileSystemInfo> Entries()
    {
        var folders = new Stack<DirectoryInfo>([new DirectoryInfo(Path)]);
        while (folders.TryPop(out var folder))
        {
            var inside = new List<DirectoryInfo>();
            foreach (var entry in folder.EnumerateFileSystemInfos("*", OneLevel).OrderBy(e => e.Name, StringComparer.Ordinal))
            {
                var isFolder = entry is DirectoryInfo && entry.LinkTarget is null;
                if (ignores.IsIgnored(Relative(entry), isFolder))
                {
                    continue;
                }

                yield return entry;
                if (isFolder)
                {
                    inside.Add((DirectoryInfo)entry);
                }
            }

            // Pushed last first, so that they come out in order.
            for (var i = inside.Count - 1; i >= 0; i--)
            {
                folders.Push(inside[i]);
            }
        }
    }

    /// <summary>
    /// Whether <paramref name="path"/>, a folder that may not exist yet, lies inside this folder where <see cref="Entries"/>
    /// would take it: neither it nor a folder above it is left out.
    /// </summary>
    public bool Selects(string path)
    {
        var relative = System.IO.Path.GetRelativePath(Path, System.IO.Path.GetFullPath(path));
        // Outside is ".." or "../..."; a folder inside may well be named "..cache".
        if (relative is "." or ".." || relative.StartsWith(".." + System.IO.Path.DirectorySeparatorChar, StringComparison.Ordinal) || System.IO.Path.IsPathRooted(relative))
        {
            return false;
        }

        var parts = relative.Split(System.IO.Path.DirectorySeparatorChar);
        return !Enumerable.Range(1, parts.Length).Any(n => ignores.IsIgnored(string.Join('/', parts.Take(n)), pathIsDirectory: true));
    }

    /// <summary>An entry's path inside the folder, with <c>/</c> between its parts.</summary>
    public string Relative(FileSystemInfo entry) =>
        System.IO.Path.GetRelativePath(Path, entry.FullName).Replace(System.IO.Path.DirectorySeparatorChar, '/');
}
