using System.Text.RegularExpressions;
using AwsRunner.Core.Dispatch;
using AwsRunner.Core.Node;
using AwsRunner.Tests.Support;

namespace AwsRunner.Tests.Node;

/// <summary>
/// The names the node runner and awsrunner share: file names, the runner's version, its state words and the sets of
/// states it decides by come from <see cref="NodeContract"/> (the states from <see cref="JobStates"/>) into the real
/// script, which spells no state word itself.
/// </summary>
public sealed partial class NodeContractTests
{
    [Test]
    public async Task Script_AsInstalledOnANode_DeclaresEveryContractNameWithItsValue()
    {
        using var node = new RunnerNode();
        var names = string.Join(' ', NodeContract.Names.Select(n => n.Name));

        // The runner as the node has it, its declarations sourced by a bash of its own.
        var printed = await node.ShellAsync(
            $"source <(sed -n '/^readonly /p' {NodeRunnerScript.Path}) && for n in {names}; do printf '%s=%s\\n' \"$n\" \"${{!n}}\"; done");

        Assert.That(printed.ExitCode, Is.Zero, printed.Error);
        Assert.That(printed.Output, Is.EqualTo(string.Concat(NodeContract.Names.Select(n => $"{n.Name}={n.Value}\n"))));
    }

    [Test]
    public void Script_UsesEveryContractName()
    {
        foreach (var (name, _) in NodeContract.Names)
        {
            Assert.That(NodeRunnerScript.Content, Does.Contain("$" + name), name);
        }
    }

    [Test]
    public void Prelude_NamesEveryStateTheRunnerWrites_AndItsSetsOfStates_FromTheStateTable()
    {
        var names = NodeContract.Names.ToDictionary(n => n.Name, n => n.Value, StringComparer.Ordinal);

        Assert.Multiple(() =>
        {
            foreach (var state in JobStates.RunnerStates)
            {
                Assert.That(names, Does.ContainKey(NodeContract.StateName(state)).WithValue(state.ToName()));
            }

            Assert.That(names.Keys.Where(n => n.StartsWith("STATE_", StringComparison.Ordinal)).Count(), Is.EqualTo(JobStates.RunnerStates.Count()));
            Assert.That(names["STATES_AT_WORK"], Is.EqualTo("queued running uploading upload-failed"));
            Assert.That(names["STATES_STARTED"], Is.EqualTo("queued running uploading done failed upload-failed deadline preempted"));
            Assert.That(names["STATES_ENDED_BEFORE_WORK"], Is.EqualTo("install-failed"));
            Assert.That(names["RUNNER_VERSION"], Is.EqualTo(NodeContract.RunnerVersion.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        });
    }

    [Test]
    public void Script_SpellsNoStateWord_OutsideItsComments()
    {
        var found = LiteralStateWords(File.ReadAllText(Repository.File("AwsRunner.Core", "Node", "node-runner.sh")));

        Assert.That(found, Is.Empty, "a state word spelled in the runner instead of its $STATE_ name from the prelude");
    }

    [TestCase("set_state running", "running")]
    [TestCase("    [ \"$state\" = uploading ] || return 0", "uploading")]
    [TestCase("end=done", "done")]
    [TestCase("        install-failed | ready) ;;", "install-failed, ready")]
    [TestCase("echo 'preempted'", "preempted")]
    [TestCase("    done", "")]
    [TestCase("    for f in a b; do echo \"$f\"; done < list", "")]
    [TestCase("    log \"the upload failed, retrying\"", "")]
    [TestCase("    # the row is done: a comment says so", "")]
    [TestCase("    x=$STATE_DONE; y=${STATE_FAILED}", "")]
    public void LiteralStateWords_FindsAStateWordWhereverTheCodeSpellsOne(string line, string expected)
    {
        Assert.That(string.Join(", ", LiteralStateWords(line)), Is.EqualTo(expected));
    }

    // The state words in code: comments and text in quotes that holds a space (messages) left out, and bash's own
    // loop keyword `done` where it closes a loop (alone on its line, or after "; ").
    private static List<string> LiteralStateWords(string script)
    {
        var words = JobStates.RunnerStates.Select(s => s.ToName()).ToHashSet(StringComparer.Ordinal);
        var found = new List<string>();
        foreach (var raw in script.Split('\n'))
        {
            var line = Comment().Replace(raw, "");
            line = Message().Replace(line, "\"\"");
            line = LoopEnd().Replace(line, "$1");
            found.AddRange(Word().Matches(line).Select(m => m.Value).Where(words.Contains));
        }

        return found;
    }

    // A comment: from a # at the line's start or after a space, to the line's end (not ${#x} nor $#).
    [GeneratedRegex(@"(^|\s)#(?![{]).*$")]
    private static partial Regex Comment();

    // Text in quotes holding a space: a message, not a word.
    [GeneratedRegex("\"[^\"]* [^\"]*\"|'[^']* [^']*'")]
    private static partial Regex Message();

    // `done` closing a loop: alone after the indentation, or after "; ", and followed by the line's end, a
    // redirection, a pipe, `&` or `)`.
    [GeneratedRegex(@"(^\s*|;\s*)done(?=\s*($|[<>|&);]))")]
    private static partial Regex LoopEnd();

    // A word as bash would see one: a state word is letters and dashes, not a $NAME nor part of a longer name.
    [GeneratedRegex(@"(?<![\w$/.-])[a-z][a-z-]*(?![\w/.-])")]
    private static partial Regex Word();
}
