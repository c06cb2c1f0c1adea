using AwsRunner.Tests.Support;

namespace AwsRunner.Tests.Packaging;

/// <summary>
/// The command builds for Windows and macOS too: its default SSH transport needs no Unix socket and no ssh process, so
/// nothing ties it to Linux. Framework-dependent, so only the platform's app host comes from the package registry; the
/// build goes to a folder of its own, leaving this repository's bin and obj alone.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class PublishTests
{
    [TestCase("win-x64", "awsrunner.exe")]
    [TestCase("osx-arm64", "awsrunner")]
    public async Task Cli_PublishedForAnotherPlatform_Builds(string runtime, string program)
    {
        using var folder = new TempFolder();
        var output = folder.Combine("out");

        var publish = await DotnetCommand.RunAsync(Repository.Root, null,
            "publish", Repository.File("AwsRunner.Cli", "AwsRunner.Cli.csproj"), "-r", runtime, "--self-contained", "false",
            "--artifacts-path", folder.Combine("artifacts"), "-o", output, "--nologo");

        Assert.That(publish.ExitCode, Is.Zero, publish.ToString());
        Assert.That(File.Exists(Path.Combine(output, program)), Is.True, $"the {runtime} app host");
        Assert.That(File.Exists(Path.Combine(output, "Renci.SshNet.dll")), Is.True, "SSH.NET, the default transport");
    }
}
