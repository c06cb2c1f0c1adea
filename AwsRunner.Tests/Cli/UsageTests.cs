using AwsRunner.Cli.Verbs;
using AwsRunner.Tests.Support;

namespace AwsRunner.Tests.Cli;

public sealed class UsageTests
{
    private static readonly string[] VerbNames = ["dispatch", "status", "logs", "ssh", "put", "get", "fetch", "down"];
    private LocalBatch batch = null!;

    [SetUp]
    public void SetUp() => batch = new LocalBatch();

    [TearDown]
    public void TearDown() => batch.Dispose();

    [TestCase("--help")]
    [TestCase("-h")]
    [TestCase("help")]
    public async Task Help_ListsEveryVerbOnALineOfItsOwn(string asked)
    {
        var run = await batch.RunAsync(asked);

        Assert.That(run.ExitCode, Is.Zero, run.ToString());
        var lines = Lines(run.Output);
        foreach (var verb in VerbNames)
        {
            Assert.That(lines.Count(l => l.TrimStart().StartsWith(verb + " ", StringComparison.Ordinal)), Is.EqualTo(1), $"{verb}: {run.Output}");
        }

        Assert.That(lines.Count, Is.LessThan(20), "the verbs, not every option");
        Assert.That(run.Output, Does.Contain("130 interrupted"));
        Assert.That(run.Error, Is.Empty);
    }

    [Test]
    public async Task NoVerb_ListsTheVerbsOnStderrWithExit2()
    {
        var run = await batch.RunAsync();

        Assert.That(run.ExitCode, Is.EqualTo(2));
        Assert.That(run.Error, Does.Contain("  dispatch  ").And.Contain("  fetch  "));
    }

    [TestCaseSource(nameof(VerbNames))]
    public async Task VerbHelp_StartsWithItsSynopsis(string verb)
    {
        var asked = await batch.RunAsync(verb, "--help");
        var viaHelp = await batch.RunAsync("help", verb);
        var viaH = await batch.RunAsync(verb, "-h");

        Assert.That(asked.ExitCode, Is.Zero, asked.ToString());
        Assert.That(Lines(asked.Output)[0], Is.EqualTo("usage: " + VerbCatalog.Find(verb)!.Synopsis));
        Assert.That(Lines(asked.Output)[0], Does.StartWith($"usage: awsrunner {verb} "));
        Assert.That(viaHelp.Output, Is.EqualTo(asked.Output));
        Assert.That(viaH.Output, Is.EqualTo(asked.Output));
        Assert.That(asked.Output, Does.Contain("130 interrupted (Ctrl-C)"));
    }

    [Test]
    public void Synopses_NameEachVerbsArgumentsInOrder()
    {
        foreach (var verb in VerbCatalog.All)
        {
            var words = verb.Synopsis.Split(' ').Skip(2).Select(w => w.Trim('[', ']').TrimEnd('.')).ToList();
            var arguments = verb.Arguments.Select(a => a.Name).ToList();
            Assert.That(words.Where(arguments.Contains), Is.EqualTo(arguments), verb.Synopsis);
        }
    }

    [TestCase(new[] { "dispatch", "local", "demo" }, "awsrunner dispatch: missing JOBS.csv, the job file: ", TestName = "Usage_MissingArgument_IsNamed")]
    [TestCase(new[] { "logs", "demo" }, "awsrunner logs: missing INDEX, the job, by its index", TestName = "Usage_MissingIndex_IsNamed")]
    [TestCase(new[] { "dispatch", "local", "demo", "jobs.csv", "--dispatch", "--wiat" }, "awsrunner dispatch: unknown option --wiat; did you mean --wait?", TestName = "Usage_MistypedOption_SuggestsTheMeantOne")]
    [TestCase(new[] { "fetch", "demo", "out", "--merge-sorce", "x" }, "awsrunner fetch: unknown option --merge-sorce; did you mean --merge-source?", TestName = "Usage_MistypedLongOption_SuggestsTheMeantOne")]
    [TestCase(new[] { "dispach", "local" }, "awsrunner: unknown verb \"dispach\"; did you mean dispatch?", TestName = "Usage_MistypedVerb_SuggestsTheMeantOne")]
    [TestCase(new[] { "logs", "demo", "seven" }, "awsrunner logs: INDEX \"seven\": give a number; the job, by its index", TestName = "Usage_IndexNotANumber_SaysWhich")]
    [TestCase(new[] { "status", "demo", "extra" }, "awsrunner status: unexpected argument \"extra\": status takes [NAME]", TestName = "Usage_AnArgumentTooMany_IsNamed")]
    [TestCase(new[] { "dispatch", "local", "demo", "jobs.csv", "--install" }, "awsrunner dispatch: --install needs a value", TestName = "Usage_OptionWithoutItsValue_IsNamed")]
    public async Task Usage_Error_IsThreeLinesExit2(string[] arguments, string first)
    {
        var run = await batch.RunAsync(arguments);

        Assert.That(run.ExitCode, Is.EqualTo(2), run.ToString());
        Assert.That(run.Output, Is.Empty);
        var lines = Lines(run.Error);
        Assert.That(lines, Has.Count.EqualTo(3), run.Error);
        Assert.That(lines[0], Does.StartWith(first));
        Assert.That(lines[1], Does.StartWith("usage: awsrunner "));
        Assert.That(lines[2], Does.StartWith("more: awsrunner ").And.EndWith("--help"));
    }

    [Test]
    public async Task GetHelp_QuotesTheNodesTildeFromTheUsersShell()
    {
        var run = await batch.RunAsync("get", "--help");

        Assert.That(run.Output, Does.Contain("awsrunner get sweep1 7 '~/awsrunner/install.log'"));
        Assert.That(run.Output, Does.Not.Contain(" ~/awsrunner/install.log"));
    }

    [Test]
    public async Task NodesAtOnce_OldNameParallel_IsStillAccepted()
    {
        batch.Write("project/jobs.csv", "instance_type,command\nt3.micro,true\n");

        var renamed = await batch.RunAsync("dispatch", "local", "usage", "project/jobs.csv", "--cloud", "local", "--nodes-at-once", "0");
        var old = await batch.RunAsync("dispatch", "local", "usage", "project/jobs.csv", "--cloud", "local", "--parallel", "0");
        var plan = await batch.RunAsync("dispatch", "local", "usage", "project/jobs.csv", "--cloud", "local", "--parallel", "4");
        var both = await batch.RunAsync("dispatch", "local", "usage", "project/jobs.csv", "--cloud", "local", "--parallel", "4", "--nodes-at-once", "8");
        var help = await batch.RunAsync("dispatch", "--help");

        Assert.That((renamed.ExitCode, renamed.Error.Trim()), Is.EqualTo((2, "awsrunner: --nodes-at-once 0: must be at least 1")));
        Assert.That((old.ExitCode, old.Error.Trim()), Is.EqualTo((2, "awsrunner: --nodes-at-once 0: must be at least 1")));
        Assert.That(plan.ExitCode, Is.Zero, plan.ToString());
        Assert.That(both.Error, Does.Contain("--parallel is the old name of --nodes-at-once"));
        Assert.That(help.Output, Does.Contain("--nodes-at-once").And.Not.Contain("--parallel VALUE"));
    }

    private static List<string> Lines(string text) => text.ReplaceLineEndings("\n").TrimEnd('\n').Split('\n').ToList();
}
