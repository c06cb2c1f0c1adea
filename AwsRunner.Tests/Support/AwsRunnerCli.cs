using System.Diagnostics;
using AwsRunner.Core.Node;

namespace AwsRunner.Tests.Support;

/// <summary>Runs the real awsrunner command (the built CLI, in a process of its own) with its own AWSRUNNER_HOME.</summary>
internal sealed class AwsRunnerCli(string home, string workingDirectory)
{
    private static readonly string Dll = Path.Combine(AppContext.BaseDirectory, "awsrunner.dll");

    public string Home => home;

    /// <summary>Variables set (or, when null, removed) in the command's environment.</summary>
    public Dictionary<string, string?> Environment { get; } = [];

    public async Task<CliRun> RunAsync(params string[] arguments) => await RunAsync(TimeSpan.FromMinutes(3), arguments);

    public async Task<CliRun> RunAsync(TimeSpan timeout, params string[] arguments)
    {
        using var process = Start(arguments);
        return await FinishAsync(process, timeout, arguments);
    }

    /// <summary>Runs the command with <paramref name="input"/> on its standard input.</summary>
    public async Task<CliRun> RunWithInputAsync(string input, params string[] arguments)
    {
        using var process = Start(arguments, keepInput: true);
        await process.StandardInput.WriteAsync(input);
        process.StandardInput.Close();
        return await FinishAsync(process, TimeSpan.FromMinutes(3), arguments);
    }

    /// <summary>
    /// Runs the command on a terminal of its own (a pseudo-terminal from util-linux's <c>script</c>), as a user at a
    /// terminal runs it, typing <paramref name="input"/> at it; what it printed (standard output and error both) comes
    /// back with the terminal's line ends.
    /// </summary>
    public async Task<CliRun> RunOnTerminalAsync(string input, params string[] arguments)
    {
        using var process = Start(arguments, keepInput: true, terminal: true);
        await process.StandardInput.WriteAsync(input);
        process.StandardInput.Close();
        return await FinishAsync(process, TimeSpan.FromMinutes(3), arguments);
    }

    /// <summary>
    /// Starts the command on a terminal of its own, as <see cref="RunOnTerminalAsync"/> does, and returns at once: what
    /// the test writes to its standard input is typed at the terminal (Ctrl-C, "\u0003", interrupts it).
    /// </summary>
    public Process StartOnTerminal(params string[] arguments) => Start(arguments, keepInput: true, terminal: true);

    /// <summary>Starts the command and returns at once, for tests that signal it or read it while it runs.</summary>
    public Process Start(params string[] arguments) => Start(arguments, keepInput: false);

    private Process Start(string[] arguments, bool keepInput, bool terminal = false)
    {
        // Ctrl-C as from a terminal: a test run started in the background of a script inherits SIGINT ignored, and
        // awsrunner rightly keeps a disposition it was given, so a test that interrupts it would interrupt nothing.
        string[] command = ["env", "--default-signal=INT", "dotnet", Dll, .. arguments];
        var start = new ProcessStartInfo(
            terminal ? "script" : command[0],
            terminal ? ["-qec", string.Join(' ', command.Select(ShellQuote.Quote)), "/dev/null"] : command[1..])
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        start.Environment["AWSRUNNER_HOME"] = home;
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["AWS_EC2_METADATA_DISABLED"] = "true";
        // A command runs for seconds: profiling its methods for later tiers costs more than it returns (about a third of a status).
        start.Environment["DOTNET_TieredPGO"] = "0";
        foreach (var (name, value) in Environment)
        {
            start.Environment[name] = value;
        }

        var process = Process.Start(start)!;
        if (!keepInput)
        {
            process.StandardInput.Close();
        }

        return process;
    }

    public static async Task<CliRun> FinishAsync(Process process, TimeSpan timeout, params string[] arguments)
    {
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"awsrunner {string.Join(' ', arguments)} did not finish within {timeout}\n--- stdout\n{await output}\n--- stderr\n{await error}");
        }

        return new CliRun(process.ExitCode, await output, await error);
    }
}
