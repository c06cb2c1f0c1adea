using System.Text.RegularExpressions;
using AwsRunner.Cli;
using AwsRunner.Core;
using AwsRunner.Core.Dispatch;
using AwsRunner.Tests.Support;

namespace AwsRunner.Tests.Cli;

/// <summary>
/// The library's messages name its options, never the command line's flags; the command line prints its flags for
/// every option a library message can name.
/// </summary>
public sealed partial class OptionFlagsTests
{
    [Test]
    public void LibraryMessages_NameNoFlag()
    {
        var flags = LibraryStrings()
            .SelectMany(s => Flag().Matches(s.Text).Select(m => $"{s.Where}: {m.Value}"))
            .ToList();

        Assert.That(flags, Is.Empty, "a library message names a flag: name the option (DispatchOptions.MaxHours), and map it in OptionFlags");
    }

    [Test]
    public void EveryOptionALibraryMessageNames_HasItsFlag()
    {
        var named = LibraryStrings().SelectMany(s => OptionName().Matches(s.Text).Select(m => m.Value)).Distinct().Order(StringComparer.Ordinal);

        Assert.That(named, Is.SubsetOf(OptionFlags.Flags.Keys));
    }

    [Test]
    public void EveryMappedOption_IsAPropertyOfItsOptions()
    {
        var options = typeof(DispatchOptions).Assembly.GetExportedTypes().Where(t => t.Name.EndsWith("Options", StringComparison.Ordinal)).ToDictionary(t => t.Name);
        var unknown = OptionFlags.Flags.Keys
            .Where(k => OptionName().IsMatch(k))
            .Where(k => !options.TryGetValue(k.Split('.')[0], out var type) || type.GetProperty(k.Split('.')[1]) is null);

        Assert.That(unknown, Is.Empty);
    }

    [Test]
    public void Apply_ReplacesEachNameWhole()
    {
        Assert.That(
            OptionFlags.Apply("DispatchOptions.MaxInstancesByType c5.large=0 and DispatchOptions.MaxInstances 0; SshOptions.ConfigFile and SshOptions.Proxy"),
            Is.EqualTo("--max-instances c5.large=0 and --max-instances 0; --ssh-config and --ssh-proxy"));
    }

    [Test]
    public void Apply_ToALibraryError_GivesTheFlagTheUserTyped()
    {
        var error = Assert.Throws<InvalidInputException>(() => _ = new DispatchOptions { ImageId = "i", Name = "n", JobFile = "j", MaxRetries = -1 })!;

        Assert.Multiple(() =>
        {
            Assert.That(error.Message, Does.StartWith("DispatchOptions.MaxRetries -1: "));
            Assert.That(OptionFlags.Apply(error.Message), Does.StartWith("--max-retries -1: must be 0 (no retries) to 100"));
        });
    }

    /// <summary>The string literals of AwsRunner.Core's sources, but those that are commands for other programs.</summary>
    private static IEnumerable<(string Where, string Text)> LibraryStrings() =>
        Directory.EnumerateFiles(Repository.File("AwsRunner.Core"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .SelectMany(f => File.ReadAllLines(f).Select((line, i) => (Where: $"{Path.GetRelativePath(Repository.Root, f)}:{i + 1}", Line: line)))
            .Where(l => !l.Line.TrimStart().StartsWith("//", StringComparison.Ordinal))
            .SelectMany(l => StringLiteral().Matches(l.Line).Select(m => (l.Where, m.Value)))
            .Where(s => !OtherPrograms.Any(p => s.Value.Contains(p, StringComparison.Ordinal)));

    // Text meant for another program or shell, where a flag is that program's: the AWS CLI, ssh's end of options, the
    // command line a user runs to take a batch down with its results, and S3's reserved bucket-name endings.
    private static readonly string[] OtherPrograms = ["aws ec2 ", "aws s3api ", "aws configure ", "awsrunner down ", "\"--\"", "-s3\"", "--- log"];

    [GeneratedRegex("\"(?:[^\"\\\\]|\\\\.)*\"")]
    private static partial Regex StringLiteral();

    [GeneratedRegex(@"(?<![\w-])--[a-z][a-z-]*[a-z]")]
    private static partial Regex Flag();

    [GeneratedRegex(@"\b(?:DispatchOptions|FetchOptions|AwsCloudOptions|SshOptions)\.[A-Z]\w*")]
    private static partial Regex OptionName();
}
