using AwsRunner.Core.Node;
using AwsRunner.Tests.Support;

namespace AwsRunner.Tests.Cli.Commands;

[TestFixture]
public sealed class SshCommandTests
{
    [Test]
    public async Task Ssh_CommandsOnStandardInput_RunInTheNodesHome()
    {
        var run = await LocalBatches.Cli.RunWithInputAsync("pwd\necho \"$HOME\"\nexit 4\n", "ssh", LocalBatches.Running, "0");

        var home = LocalBatches.NodeHome(LocalBatches.Running);
        Assert.That(run.ExitCode, Is.EqualTo(4), run.Error);
        Assert.That(run.Output, Is.EqualTo($"{home}\n{home}\n"));
    }

    [Test]
    public async Task Ssh_WithACommand_ReturnsItsOutputAndExitCode()
    {
        var run = await LocalBatches.Cli.RunAsync("ssh", LocalBatches.Ready, "0", "--", "cat awsrunner/state; exit 7");

        Assert.That(run.ExitCode, Is.EqualTo(7), run.Error);
        Assert.That(run.Output, Is.EqualTo("ready\n"));
    }

    [Test]
    public async Task Ssh_CommandWithQuotesDollarPipeAndUnicode_ReachesBashByteForByte()
    {
        const string text = "it's \"$HOME\" `uname` | ü € 日本 🙂\n\\";

        var run = await LocalBatches.Cli.RunAsync("ssh", LocalBatches.Running, "0", "--", $"printf '%s' {ShellQuote.Quote(text)}");

        Assert.That(run.ExitCode, Is.Zero, run.Error);
        Assert.That(run.Output, Is.EqualTo(text));
    }

    [Test]
    public async Task Ssh_UnknownJobIndex_ExitsWithBadInput()
    {
        var run = await LocalBatches.Cli.RunAsync("ssh", LocalBatches.Ready, "1", "--", "true");

        Assert.That(run.ExitCode, Is.EqualTo(2));
        Assert.That(run.Error, Does.Contain("there is no job 1"));
    }

    [Test]
    public async Task Ssh_NodeGone_ExitsWithCloudError()
    {
        var run = await LocalBatches.Cli.RunAsync("ssh", LocalBatches.Gone, "0", "--", "true");

        Assert.That(run.ExitCode, Is.EqualTo(3));
        Assert.That(run.Error, Does.Contain("NodeGone"));
    }
}
