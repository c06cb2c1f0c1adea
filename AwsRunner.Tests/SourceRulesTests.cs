using System.Text.RegularExpressions;
using AwsRunner.Tests.Support;

namespace AwsRunner.Tests;

/// <summary>
/// Rules about where facts live, read off the sources: the batch's ledger has one owner, and the states one table.
/// </summary>
public sealed partial class SourceRulesTests
{
    private static readonly string[] Projects = ["AwsRunner.Core", "AwsRunner.Cli", "AwsRunner.Sim"];

    [Test]
    public void Ledger_IsReadAndWrittenOnlyByItsOwner()
    {
        var outside = Sources()
            .Where(f => !f.Path.Contains($"{Path.DirectorySeparatorChar}Ledger{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !f.Path.EndsWith("ResultKeys.cs", StringComparison.Ordinal))
            .Where(f => f.Text.Contains("ResultKeys.Ledger(", StringComparison.Ordinal) || f.Text.Contains("ledger.json", StringComparison.Ordinal)
                || f.Text.Contains("manifest.json", StringComparison.Ordinal))
            .Select(f => Path.GetRelativePath(Repository.Root, f.Path));

        Assert.That(outside, Is.Empty, "only AwsRunner.Core/Ledger/ touches the ledger's object");
    }

    [Test]
    public void States_AreListedOnlyInTheStateTable()
    {
        var lists = Sources()
            .Where(f => !f.Path.EndsWith("JobStates.cs", StringComparison.Ordinal))
            .SelectMany(f => StateList().Matches(f.Text).Select(m => $"{Path.GetRelativePath(Repository.Root, f.Path)}: {m.Value}"));

        Assert.That(lists, Is.Empty, "a set of states outside JobStates: say what the states share there instead");
    }

    private static IEnumerable<(string Path, string Text)> Sources() =>
        Projects.SelectMany(p => Directory.EnumerateFiles(Repository.File(p), "*.cs", SearchOption.AllDirectories))
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Select(f => (f, File.ReadAllText(f)));

    // Two states joined into a set: `JobState.A or JobState.B`, `is JobState.A or B`, `{ JobState.A, JobState.B }`.
    [GeneratedRegex(@"JobState\.\w+\s+or\s+(JobState\.)?\w+|\{\s*JobState\.\w+\s*,\s*JobState\.\w+")]
    private static partial Regex StateList();
}
