using System.Text.RegularExpressions;
using AwsRunner.Tests.Support;

namespace AwsRunner.Tests.Docs;

/// <summary>The README's Layout section names every source folder, and only folders that exist.</summary>
public sealed partial class ReadmeLayoutTests
{
    // The tests' folders mirror the sources', so the README names only their root and Support/.
    private static readonly string[] Projects = ["AwsRunner.Core", "AwsRunner.Cli", "AwsRunner.Sim", "bench"];

    [Test]
    public void Layout_NamesEverySourceFolder()
    {
        var listed = LayoutFolders();
        var folders = Projects.SelectMany(SourceFolders).ToList();

        Assert.That(folders.Where(f => !listed.Contains(f)), Is.Empty, "folders missing from the README's Layout section");
    }

    [Test]
    public void Layout_NamesNoFolderThatIsGone()
    {
        var stale = LayoutFolders().Where(f => !Directory.Exists(Repository.File(f.Split('/'))));

        Assert.That(stale, Is.Empty);
    }

    private static IEnumerable<string> SourceFolders(string project)
    {
        var root = Repository.File(project);
        return Directory.EnumerateDirectories(root, "*", SearchOption.AllDirectories)
            .Select(d => Path.GetRelativePath(Repository.Root, d).Replace('\\', '/'))
            .Where(d => !d.Split('/').Any(part => part is "bin" or "obj" || part.StartsWith('.')))
            .Prepend(project)
            .Order(StringComparer.Ordinal);
    }

    /// <summary>The folders the Layout block shows, as paths: two spaces of indent per level below the one above.</summary>
    private static HashSet<string> LayoutFolders()
    {
        var readme = File.ReadAllText(Repository.File("README.md"));
        var section = readme[readme.IndexOf("\n## Layout\n", StringComparison.Ordinal)..];
        var block = section[(section.IndexOf("```\n", StringComparison.Ordinal) + 4)..];
        block = block[..block.IndexOf("```", StringComparison.Ordinal)];
        var path = new List<string>();
        var folders = new HashSet<string>(StringComparer.Ordinal);
        foreach (Match entry in Entry().Matches(block))
        {
            var depth = entry.Groups["indent"].Length / 2;
            path.RemoveRange(Math.Min(depth, path.Count), path.Count - Math.Min(depth, path.Count));
            foreach (var name in entry.Groups["names"].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                folders.Add(string.Join('/', path.Append(name.TrimEnd('/'))));
            }

            path.Add(entry.Groups["names"].Value.Split(' ')[0].TrimEnd('/'));
        }

        return folders;
    }

    // A line that starts with one or more folder names ("jobs/ install/"), then the description.
    [GeneratedRegex(@"^(?<indent> *)(?<names>(?:[\w.]+/ ?)+)\s", RegexOptions.Multiline)]
    private static partial Regex Entry();
}
