using AwsRunner.Sim;
using AwsRunner.Tests.Support;

namespace AwsRunner.Tests.Cli;

/// <summary>A project folder (job file, code, INSTALL.sh) and an awsrunner home, driven through the real CLI on the local cloud.</summary>
internal sealed class LocalBatch : IDisposable
{
    private readonly TempFolder folder = new();

    public LocalBatch()
    {
        Cli = new AwsRunnerCli(folder.Combine("home"), folder.Path);
    }

    public AwsRunnerCli Cli { get; }

    public string Root => folder.Path;

    public string Home => Cli.Home;

    public string Write(string relative, string content) => folder.Write(relative, content);

    public string Path(params string[] parts) => folder.Combine(parts);

    public Task<CliRun> RunAsync(params string[] arguments) => Cli.RunAsync(arguments);

    /// <summary>Processes started by local nodes under this home that are still alive.</summary>
    public IReadOnlyList<int> LiveNodeProcesses() => TaggedProcesses.Find("AWSRUNNER_LOCAL_NODE", Home + "/");

    public void Dispose()
    {
        TaggedProcesses.Kill("AWSRUNNER_LOCAL_NODE", Home + "/");
        folder.Dispose();
    }
}
