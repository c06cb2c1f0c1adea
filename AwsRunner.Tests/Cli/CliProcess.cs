using System.Diagnostics;
using NUnit.Framework;

namespace AwsRunner.Tests.Cli;

/// <summary>Runs the real awsrunner command (built next to the tests) as a user would, with its own AWSRUNNER_HOME.</summary>
internal static class CliProcess
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);

    public static Process Start(string home, IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, "awsrunner"))
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["AWSRUNNER_HOME"] = home;
        return Process.Start(start) ?? throw new InvalidOperationException("awsrunner did not start");
    }

    public static async Task<CliRun> RunWithInputAsync(string home, string input, params string[] arguments)
    {
        using var process = Start(home, arguments);
        using var timeout = new CancellationTokenSource(Limit);
        var output = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var error = process.StandardError.ReadToEndAsync(timeout.Token);
        await process.StandardInput.WriteAsync(input);
        process.StandardInput.Close();
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"awsrunner {string.Join(' ', arguments)} did not finish within {Limit}");
        }

        return new CliRun(process.ExitCode, await output, await error);
    }

    public static Task<CliRun> RunAsync(string home, params string[] arguments) => RunWithInputAsync(home, "", arguments);
}
