using System.Text.Json;

namespace AwsRunner.Tests.Cli;

public sealed class RuntimeConfigTests
{
    /// <summary>Dynamic PGO re-compiles hot code with probes first: in a process that lives seconds, that costs more than it brings.</summary>
    [Test]
    public void Cli_RunsWithoutDynamicPgo()
    {
        using var config = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "awsrunner.runtimeconfig.json")));

        var properties = config.RootElement.GetProperty("runtimeOptions").GetProperty("configProperties");

        Assert.That(properties.GetProperty("System.Runtime.TieredPGO").GetBoolean(), Is.False);
    }
}
