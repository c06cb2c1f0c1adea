using AwsRunner.Core;
using AwsRunner.Core.Dispatch;
using AwsRunner.Core.Jobs;
using AwsRunner.Tests.Support;

namespace AwsRunner.Tests.Dispatch;

public sealed class SecretValuesTests
{
    private static readonly JobFile Jobs = JobFile.Parse(new StringReader("instance_type,command,seed\nc5.large,true,1\n"), "jobs.csv");

    [Test]
    public void Read_FromTheEnvironmentAndAFile_GivesEachValueByName()
    {
        using var folder = new TempFolder();
        var file = folder.Combine("token.txt");
        File.WriteAllText(file, "from-the-file\n");

        var values = SecretValues.Read([new JobSecret { Name = "API_KEY" }, JobSecret.Parse("TOKEN=" + file)], Jobs, name => name == "API_KEY" ? "from-the-env" : null);

        Assert.That(values, Is.EqualTo(new[] { KeyValuePair.Create("API_KEY", "from-the-env"), KeyValuePair.Create("TOKEN", "from-the-file") }));
    }

    [TestCase("PATH", "PATH belongs to the node's shell")]
    [TestCase("seed", "jobs.csv has a column of that name too")]
    [TestCase("1x", "not a valid shell variable name")]
    public void Read_NameNoJobMayHave_IsBadInputNamingTheSecret(string name, string problem)
    {
        var error = Assert.Throws<InvalidInputException>(() => SecretValues.Read([new JobSecret { Name = name }], Jobs, _ => "value"))!;

        Assert.That(error.Message, Does.StartWith($"DispatchOptions.Secrets {name}: ").And.Contain(problem));
    }

    [Test]
    public void Read_SameNameTwice_IsBadInput()
    {
        var error = Assert.Throws<InvalidInputException>(() => SecretValues.Read([new JobSecret { Name = "KEY" }, new JobSecret { Name = "KEY" }], Jobs, _ => "value"))!;

        Assert.That(error.Message, Is.EqualTo("DispatchOptions.Secrets KEY: given twice"));
    }

    [Test]
    public void Parse_NameAndFile_KeepsEverythingAfterTheFirstEquals()
    {
        Assert.That(Spelled(JobSecret.Parse("KEY=dir/a=b.txt")), Is.EqualTo(("KEY", "dir/a=b.txt")));
        Assert.That(Spelled(JobSecret.Parse("KEY")), Is.EqualTo(("KEY", (string?)null)));
    }

    private static (string Name, string? File) Spelled(JobSecret secret) => (secret.Name, secret.File);
}
