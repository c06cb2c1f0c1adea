using System.Text.RegularExpressions;
using AwsRunner.Core.Dispatch;
using AwsRunner.Core.Node;

namespace AwsRunner.Tests.Node;

/// <summary>
/// The names the node runner and awsrunner share: file names come from <see cref="NodeContract"/> into the real
/// script, and every state word the script writes is one awsrunner reads, and the other way round.
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
    public void StateWords_TheScriptWrites_AreTheOnesAwsrunnerReads_AndNoOtherRunnerWordExists()
    {
        var written = WrittenState().Matches(NodeRunnerScript.Content).Select(m => m.Groups[1].Value).ToHashSet(StringComparer.Ordinal);
        // Starting is what an unknown word reads as, not a word of the runner's.
        var read = Enum.GetValues<JobState>().Where(s => s != JobState.Starting && JobStates.FromRunner(s.ToName()) == s)
            .Select(s => s.ToName()).ToHashSet(StringComparer.Ordinal);

        Assert.That(written, Is.Not.Empty);
        Assert.That(written, Is.EquivalentTo(read), "the runner's words (set_state, end=) against the words JobStates.FromRunner knows");
    }

    // set_state WORD and the run step's end=WORD (the state the job's end is given).
    [GeneratedRegex(@"(?:set_state |\bend=)([a-z][a-z-]*)\b")]
    private static partial Regex WrittenState();
}
