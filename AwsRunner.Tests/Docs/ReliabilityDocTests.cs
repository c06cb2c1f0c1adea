using System.Reflection;
using System.Text.RegularExpressions;
using AwsRunner.Tests.Support;

namespace AwsRunner.Tests.Docs;

/// <summary>docs/reliability.md names the test behind every row: the names must stay those of real tests.</summary>
public sealed partial class ReliabilityDocTests
{
    [Test]
    public void EveryTestItCites_Exists()
    {
        var fixtures = typeof(ReliabilityDocTests).Assembly.GetTypes()
            .Where(t => t.Name.EndsWith("Tests", StringComparison.Ordinal))
            .ToDictionary(t => t.Name, StringComparer.Ordinal);
        var cited = CitedTest().Matches(File.ReadAllText(Repository.File("docs", "reliability.md")))
            .Select(m => (Fixture: m.Groups[1].Value, Test: m.Groups[2].Success ? m.Groups[2].Value : null))
            .ToList();

        var missing = cited.Where(c => !fixtures.TryGetValue(c.Fixture, out var fixture) || (c.Test is not null && !IsTest(fixture, c.Test)))
            .Select(c => c.Test is null ? c.Fixture : $"{c.Fixture}.{c.Test}");

        Assert.That(cited, Has.Count.GreaterThan(20), "the doc's citations were found");
        Assert.That(missing, Is.Empty, "cited in docs/reliability.md, but no such test");
    }

    /// <summary>A test method of that name (with its cases, if any), or a test case named so.</summary>
    private static bool IsTest(Type fixture, string name) =>
        fixture.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static)
            .SelectMany(m => m.GetCustomAttributes().SelectMany(a => a switch
            {
                TestAttribute or TestCaseSourceAttribute => [m.Name],
                TestCaseAttribute testCase => new[] { m.Name, testCase.TestName },
                _ => [],
            }))
            .Contains(name, StringComparer.Ordinal);

    // `FixtureTests` or `FixtureTests.Method_Situation_Outcome`, in backticks.
    [GeneratedRegex(@"`([A-Z][A-Za-z0-9]*Tests)(?:\.([A-Za-z0-9_]+))?`")]
    private static partial Regex CitedTest();
}
