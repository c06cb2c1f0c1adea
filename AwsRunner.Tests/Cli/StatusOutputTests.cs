using System.Text.Json;
using System.Text.RegularExpressions;
using AwsRunner.Tests.Support;

namespace AwsRunner.Tests.Cli;

public sealed partial class StatusOutputTests
{
    private LocalBatch batch = null!;

    [SetUp]
    public void SetUp()
    {
        batch = new LocalBatch();
        batch.Write("project/jobs.csv", "instance_type,command\nt3.micro,echo fine\nc5.large,\"echo 'half way' > $AWSRUNNER_PROGRESS; exit 2\"\n");
    }

    [TearDown]
    public void TearDown() => batch.Dispose();

    [Test]
    public async Task StatusJson_OfOneBatch_HasExactlyTheDocumentedFields()
    {
        await batch.RunAsync("dispatch", "local", "schema", "project/jobs.csv", "--cloud", "local", "--create", "--dispatch", "--wait");

        var run = await batch.RunAsync("status", "schema", "--json");

        using var document = JsonDocument.Parse(run.Output);
        var tables = DocumentedTables();
        Assert.That(Names(document.RootElement), Is.EqualTo(tables[0]), "the batch's fields");
        Assert.That(document.RootElement.GetProperty("schema").GetString(), Is.EqualTo("awsrunner.status/1"));
        foreach (var job in document.RootElement.GetProperty("jobs").EnumerateArray())
        {
            Assert.That(Names(job), Is.EqualTo(tables[1]), "a job's fields");
        }

        var nodes = document.RootElement.GetProperty("nodes").EnumerateArray().ToList();
        Assert.That(nodes, Is.Not.Empty);
        foreach (var node in nodes)
        {
            Assert.That(Names(node), Is.EqualTo(tables[2]), "a node's fields");
        }

        var failed = document.RootElement.GetProperty("jobs")[1];
        Assert.That(failed.GetProperty("state").GetString(), Is.EqualTo("failed"));
        Assert.That(failed.GetProperty("exit_code").GetInt32(), Is.EqualTo(2));
        Assert.That(failed.GetProperty("instance_id").GetString(), Does.StartWith("local-"));
        Assert.That(failed.GetProperty("started").GetDateTimeOffset(), Is.LessThanOrEqualTo(failed.GetProperty("finished").GetDateTimeOffset()));
        Assert.That(document.RootElement.GetProperty("counts").GetProperty("done").GetInt32(), Is.EqualTo(1));
    }

    [Test]
    public async Task StatusJson_OfEveryBatch_HasExactlyTheDocumentedFields()
    {
        await batch.RunAsync("dispatch", "local", "schema", "project/jobs.csv", "--cloud", "local", "--create", "--dispatch", "--wait");

        var run = await batch.RunAsync("status", "--cloud", "local", "--json");

        using var document = JsonDocument.Parse(run.Output);
        var tables = DocumentedTables();
        Assert.That(Names(document.RootElement), Is.EqualTo(tables[3]));
        var listed = document.RootElement.GetProperty("batches").EnumerateArray().Single();
        Assert.That(Names(listed), Is.EqualTo(new[] { "name", "cloud", "region", "live_instances", "instance_hours", "jobs", "finished" }));
        Assert.That(listed.GetProperty("finished").GetInt32(), Is.EqualTo(2));
    }

    [Test]
    public async Task Dispatch_StdoutNotATerminal_PrintsOneLinePerChangeAndNoEscapes()
    {
        var run = await batch.RunAsync("dispatch", "local", "plain", "project/jobs.csv", "--cloud", "local", "--create", "--dispatch", "--wait");

        Assert.That(run.Output.Contains('\u001b', StringComparison.Ordinal), Is.False, "no terminal escape sequences");
        Assert.That(run.Output, Does.Contain("  job 0000  launching\n").And.Contain("  job 0001  ready\n"));
        Assert.That(run.Output, Does.Match(@"\d\d:\d\d:\d\d  done 1  failed 1"));
    }

    [Test]
    public async Task StatusWatch_StdoutNotATerminal_PrintsTheTableWhenAJobChangesAndEndsWhenAllHaveFinished()
    {
        var release = batch.Path("release");
        batch.Write("project/jobs.csv", $"instance_type,command\nt3.micro,\"while [ ! -e {release} ]; do sleep 0.1; done\"\n");
        await batch.RunAsync("dispatch", "local", "watched", "project/jobs.csv", "--cloud", "local", "--create", "--dispatch");

        var watch = batch.RunAsync("status", "watched", "--watch", "--interval", "0.2s");
        await Task.Delay(TimeSpan.FromSeconds(2));
        File.WriteAllText(release, "");
        var run = await watch;

        Assert.That(run.ExitCode, Is.Zero, run.ToString());
        var tables = Regex.Count(run.Output, "Batch watched");
        Assert.That(tables, Is.EqualTo(2), "the table once while running and once when done\n" + run);
        Assert.That(run.Output, Does.Contain("running 1").And.Contain("done 1"));
    }

    private static List<string> Names(JsonElement element) => element.EnumerateObject().Select(p => p.Name).ToList();

    /// <summary>The field names of each table in docs/status-json.md, in order: the test keeps the doc and the output one.</summary>
    private static List<List<string>> DocumentedTables()
    {
        var tables = new List<List<string>>();
        List<string>? current = null;
        foreach (var line in File.ReadLines(Repository.File("docs", "status-json.md")))
        {
            var field = FieldRow().Match(line);
            if (field.Success)
            {
                current ??= [];
                current.Add(field.Groups[1].Value);
            }
            else if (!line.StartsWith('|'))
            {
                if (current is not null)
                {
                    tables.Add(current);
                }

                current = null;
            }
        }

        if (current is not null)
        {
            tables.Add(current);
        }

        return tables;
    }

    [GeneratedRegex(@"^\| `([a-z_]+)` \|")]
    private static partial Regex FieldRow();
}
