using System.Diagnostics;

namespace AwsRunner.Tests.Support;

/// <summary>Runs the dotnet SDK (pack, tool install, build) for the packaging tests.</summary>
internal static class DotnetCommand
{
    public static async Task<CliRun> RunAsync(string workingDirectory, IReadOnlyDictionary<string, string>? environment, params string[] arguments) =>
        await RunFileAsync("dotnet", workingDirectory, environment, arguments);

    public static async Task<CliRun> RunFileAsync(string file, string workingDirectory, IReadOnlyDictionary<string, string>? environment, params string[] arguments)
    {
        var start = new ProcessStartInfo(file, arguments)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await process.WaitForExitAsync(timeout.Token);
        return new CliRun(process.ExitCode, await output, await error);
    }
}
