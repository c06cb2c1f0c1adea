using System.IO.Compression;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using AwsRunner.Tests.Support;

namespace AwsRunner.Tests.Packaging;

public sealed partial class PackageTests
{
    [Test]
    public void CorePackage_CarriesTheLibraryItsDocsReadmeLicenseAndRepository()
    {
        using var package = ZipFile.OpenRead(Path.Combine(PackedFeed.Feed, $"AwsRunner.Core.{PackedFeed.Version}.nupkg"));
        var entries = package.Entries.Select(e => e.FullName).ToList();

        Assert.That(entries, Does.Contain("lib/net10.0/AwsRunner.Core.dll"));
        Assert.That(entries, Does.Contain("lib/net10.0/AwsRunner.Core.xml"));
        Assert.That(entries, Does.Contain("README.md"));
        var nuspec = Nuspec(package, "AwsRunner.Core.nuspec");
        Assert.That(Element(nuspec, "license")?.Value, Is.EqualTo("MIT"));
        Assert.That(Element(nuspec, "license")?.Attribute("type")?.Value, Is.EqualTo("expression"));
        Assert.That(Element(nuspec, "readme")?.Value, Is.EqualTo("README.md"));
        Assert.That(Element(nuspec, "repository")?.Attribute("url")?.Value, Does.StartWith("https://"));
        Assert.That(Element(nuspec, "description")?.Value, Is.Not.Empty);
    }

    [Test]
    public async Task CliPackage_InstalledAsADotnetTool_RunsALocalBatch()
    {
        var tools = PackedFeed.Folder.Combine("tools");
        var install = await DotnetCommand.RunAsync(PackedFeed.Folder.Path, null,
            "tool", "install", "AwsRunner.Cli", "--tool-path", tools, "--add-source", PackedFeed.Feed, "--version", PackedFeed.Version);
        Assert.That(install.ExitCode, Is.Zero, install.ToString());

        var project = PackedFeed.Folder.Combine("tool-batch");
        Directory.CreateDirectory(project);
        File.WriteAllText(Path.Combine(project, "jobs.csv"), "instance_type,command,word\nt3.micro,\"mkdir -p output; echo $word > output/word.txt\",hello\n");
        // Beside the project, not in it: the project is the code folder, and the home holds the batches' keys.
        var environment = new Dictionary<string, string> { ["AWSRUNNER_HOME"] = PackedFeed.Folder.Combine("tool-home") };
        var awsrunner = Path.Combine(tools, "awsrunner");

        var version = await DotnetCommand.RunFileAsync(awsrunner, project, environment, "--version");
        var run = await DotnetCommand.RunFileAsync(awsrunner, project, environment,
            "dispatch", "local", "tooled", "jobs.csv", "--cloud", "local", "--create", "--dispatch", "--wait");
        var fetch = await DotnetCommand.RunFileAsync(awsrunner, project, environment, "fetch", "tooled", "out");

        Assert.That(version.Output, Does.StartWith($"awsrunner {PackedFeed.Version}"));
        Assert.That(run.ExitCode, Is.Zero, run.ToString());
        Assert.That(fetch.ExitCode, Is.Zero, fetch.ToString());
        Assert.That(File.ReadAllText(Path.Combine(project, "out", "0000", "output", "word.txt")), Is.EqualTo("hello\n"));
    }

    [Test]
    public async Task ReadmeLibraryExample_CompilesAgainstThePackageAndRuns()
    {
        var example = PackedFeed.Folder.Combine("example");
        Directory.CreateDirectory(example);
        File.WriteAllText(Path.Combine(example, "Program.cs"), ReadmeExample());
        // The job file the README's example names.
        Directory.CreateDirectory(Path.Combine(example, "sweep"));
        File.WriteAllText(Path.Combine(example, "sweep", "jobs.csv"),
            "instance_type,command,n\nt3.micro,\"mkdir -p output; echo $((n * n)) > output/square.txt\",3\nt3.micro,\"mkdir -p output; echo $((n * n)) > output/square.txt\",4\n");
        File.WriteAllText(Path.Combine(example, "Example.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <ImplicitUsings>enable</ImplicitUsings>
                <Nullable>enable</Nullable>
                <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="AwsRunner.Core" Version="{PackedFeed.Version}" />
              </ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(example, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="packed" value="{PackedFeed.Feed}" />
                <add key="nuget.org" value="https://api.nuget.org/v3/index.json" />
              </packageSources>
            </configuration>
            """);

        var run = await DotnetCommand.RunAsync(example, new Dictionary<string, string> { ["AWSRUNNER_HOME"] = Path.Combine(example, "home") }, "run");

        Assert.That(run.ExitCode, Is.Zero, run.ToString());
        Assert.That(run.Output, Does.Contain("2 of 2 jobs succeeded"));
        Assert.That(File.ReadAllText(Path.Combine(example, "results", "0001", "output", "square.txt")), Is.EqualTo("16\n"));
        Assert.That(ReadmeExample().Split('\n').Count(l => l.Length > 0 && !l.StartsWith("using ", StringComparison.Ordinal)), Is.LessThanOrEqualTo(10),
            "the README's example is at most ten lines of code");
        Assert.That(Directory.Exists(Path.Combine(example, "home", ".local-cloud", "buckets", "squares")), Is.False, "the example tears down its batch");
    }

    [Test]
    public async Task ReadmeFirstScreen_OneCommand_InstallsAwsrunnerAsADotnetTool()
    {
        var readme = File.ReadAllText(Repository.File("README.md"));
        var firstScreen = readme[..readme.IndexOf("## What it looks like", StringComparison.Ordinal)];
        var command = firstScreen.Split('\n').Single(l => l.Contains("dotnet tool update --global AwsRunner.Cli", StringComparison.Ordinal));
        // A home of its own, so that the global tool lands there; the packages it restores from stay the machine's.
        var home = PackedFeed.Folder.Combine("readme-home");
        Directory.CreateDirectory(home);
        var environment = new Dictionary<string, string>
        {
            ["HOME"] = home,
            ["DOTNET_CLI_HOME"] = home,
            ["NUGET_PACKAGES"] = Environment.GetEnvironmentVariable("NUGET_PACKAGES") ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages"),
        };

        // As the README says it, but with its packages in a folder of the test's rather than the repository's artifacts/.
        var install = await DotnetCommand.RunFileAsync("bash", Repository.Root, environment, "-c", command.Replace(" artifacts", " " + PackedFeed.Folder.Combine("readme-artifacts"), StringComparison.Ordinal));
        var awsrunner = Path.Combine(home, ".dotnet", "tools", "awsrunner");
        var version = await DotnetCommand.RunFileAsync(awsrunner, home, environment, "--version");
        var help = await DotnetCommand.RunFileAsync(awsrunner, home, environment, "--help");

        Assert.That(install.ExitCode, Is.Zero, install.ToString());
        Assert.That(version.Output, Does.StartWith("awsrunner 0.1.0-dev."), version.ToString());
        Assert.That(help.Output, Does.Contain("  dispatch  "));
    }

    private static string ReadmeExample()
    {
        var readme = File.ReadAllText(Repository.File("README.md"));
        var section = readme[readme.IndexOf("## Use it from a program", StringComparison.Ordinal)..];
        return CSharpBlock().Match(section).Groups[1].Value;
    }

    private static XDocument Nuspec(ZipArchive package, string name)
    {
        using var stream = package.GetEntry(name)!.Open();
        return XDocument.Load(stream);
    }

    private static XElement? Element(XDocument nuspec, string name) => nuspec.Descendants().FirstOrDefault(e => e.Name.LocalName == name);

    [GeneratedRegex("```csharp\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex CSharpBlock();
}
