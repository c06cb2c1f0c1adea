using AwsRunner.Tests.Support;

namespace AwsRunner.Tests.Packaging;

/// <summary>
/// Packs AwsRunner.Core and AwsRunner.Cli once, into a folder feed, with a version of their own: a fixed version would
/// let NuGet's package cache hand an older build to the tests.
/// </summary>
[SetUpFixture]
public sealed class PackedFeed
{
    private static TempFolder? folder;

    public static string Version { get; } = $"0.1.0-test.{DateTime.UtcNow:yyyyMMddHHmmss}";

    public static string Feed => Path.Combine(Folder.Path, "feed");

    internal static TempFolder Folder => folder ?? throw new InvalidOperationException("the packages were not packed");

    [OneTimeSetUp]
    public async Task PackAsync()
    {
        folder = new TempFolder();
        foreach (var project in new[] { "AwsRunner.Core", "AwsRunner.Cli" })
        {
            var pack = await DotnetCommand.RunAsync(Repository.Root, null,
                "pack", Repository.File(project, project + ".csproj"), "-c", "Release", "-o", Feed, $"-p:Version={Version}", "--nologo");
            Assert.That(pack.ExitCode, Is.Zero, $"dotnet pack {project}\n{pack}");
        }
    }

    [OneTimeTearDown]
    public void Remove() => folder?.Dispose();
}
