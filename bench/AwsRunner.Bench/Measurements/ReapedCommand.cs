using System.Diagnostics;
using System.Globalization;
using AwsRunner.Bench.Infrastructure;
using AwsRunner.Core;

namespace AwsRunner.Bench.Measurements;

/// <summary>
/// Runs a fan-out tool under Scripts/reap.py, a child subreaper: ssh's ControlMaster processes leave their parent, and
/// would otherwise escape the CPU count. Gives the moment the tool itself exited, on the clock of <see cref="Stopwatch"/>.
/// </summary>
internal sealed class ReapedCommand
{
    private const long NanosecondsPerSecond = 1_000_000_000;

    private readonly string script;
    private readonly string python;

    public ReapedCommand(string folder)
    {
        // reap.py's clock is CLOCK_MONOTONIC in nanoseconds, which is Stopwatch's on Linux.
        if (Stopwatch.Frequency != NanosecondsPerSecond)
        {
            throw new PlatformNotSupportedException($"Stopwatch ticks {Stopwatch.Frequency} times a second here, not once a nanosecond");
        }

        script = Path.Combine(folder, "reap.py");
        File.WriteAllText(script, EmbeddedText.Read(typeof(ReapedCommand).Assembly, "AwsRunner.Bench.Scripts.reap.py"));
        // The system's Python, not a version manager's shim, which would add its own start-up to every run.
        python = File.Exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
    }

    public Task<(ToolResult Result, long Exited)> RunAsync(
        ToolRunner tools, string program, IReadOnlyList<string> arguments, string workingDirectory, CancellationToken cancellationToken,
        IReadOnlyDictionary<string, string?>? extraEnvironment = null) =>
        RunAsync(tools, program, arguments, workingDirectory, null, cancellationToken, extraEnvironment);

    /// <summary>
    /// Runs the command; <paramref name="afterExit"/>, when given, runs once the command itself has exited while the
    /// subreaper still waits for what it left running (the local cloud's nodes that idle on after a batch ends), so
    /// that it can look at them and end them.
    /// </summary>
    public async Task<(ToolResult Result, long Exited)> RunAsync(
        ToolRunner tools, string program, IReadOnlyList<string> arguments, string workingDirectory, Func<Task>? afterExit, CancellationToken cancellationToken,
        IReadOnlyDictionary<string, string?>? extraEnvironment = null)
    {
        var exited = Path.Combine(workingDirectory, "exited-" + Guid.NewGuid().ToString("N")[..8]);
        var running = tools.RunAnyAsync(python, [script, exited, program, .. arguments], workingDirectory, cancellationToken, extraEnvironment);
        if (afterExit is not null)
        {
            while (!running.IsCompleted && !File.Exists(exited))
            {
                await Task.Delay(20, cancellationToken);
            }

            if (!running.IsCompleted)
            {
                await afterExit();
            }
        }

        var result = await running;
        if (result.ExitCode != 0 || !File.Exists(exited))
        {
            throw new InvalidOperationException(
                $"{Path.GetFileName(program)} {string.Join(' ', arguments)} exited with {result.ExitCode}:\n{result.Output}\n{result.Error}");
        }

        var timestamp = long.Parse((await File.ReadAllTextAsync(exited, cancellationToken)).Trim(), CultureInfo.InvariantCulture);
        File.Delete(exited);
        return (result, timestamp);
    }
}
