using System.Diagnostics;
using System.Globalization;

namespace AwsRunner.Bench.Infrastructure;

/// <summary>
/// Starts a command in the suite's environment and measures it: wall time by a stopwatch around the process, CPU time
/// and peak memory by GNU time (<c>/usr/bin/time</c>) when the machine has it, else peak memory by watching /proc.
/// </summary>
internal sealed class ToolRunner(ToolEnvironment environment)
{
    private const string GnuTime = "/usr/bin/time";

    public static bool HasGnuTime { get; } = File.Exists(GnuTime);

    /// <summary>Runs the command; a non-zero exit code is an error, reported with what the command said.</summary>
    public async Task<ToolResult> RunAsync(
        string program, IReadOnlyList<string> arguments, string workingDirectory, CancellationToken cancellationToken,
        IReadOnlyDictionary<string, string?>? extraEnvironment = null)
    {
        var result = await RunAnyAsync(program, arguments, workingDirectory, cancellationToken, extraEnvironment);
        return result.ExitCode == 0
            ? result
            : throw new InvalidOperationException(
                $"{Path.GetFileName(program)} {string.Join(' ', arguments)} exited with {result.ExitCode}:\n{result.Output}\n{result.Error}");
    }

    public async Task<ToolResult> RunAnyAsync(
        string program, IReadOnlyList<string> arguments, string workingDirectory, CancellationToken cancellationToken,
        IReadOnlyDictionary<string, string?>? extraEnvironment = null)
    {
        var stats = Path.Combine(Path.GetTempPath(), "awsrunner-bench-time-" + Guid.NewGuid().ToString("N")[..8]);
        var start = HasGnuTime
            ? new ProcessStartInfo(GnuTime, ["-f", "%U %S %M", "-o", stats, program, .. arguments])
            : new ProcessStartInfo(program, arguments);
        start.WorkingDirectory = workingDirectory;
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.RedirectStandardInput = true;
        start.UseShellExecute = false;
        foreach (var (name, value) in environment.Variables.Concat(extraEnvironment ?? new Dictionary<string, string?>()))
        {
            if (value is null)
            {
                start.Environment.Remove(name);
            }
            else
            {
                start.Environment[name] = value;
            }
        }

        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{program} did not start");
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var error = process.StandardError.ReadToEndAsync(cancellationToken);
        using var watch = HasGnuTime ? null : PeakMemoryWatch.Start(process.Id);
        try
        {
            await process.WaitForExitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        var wall = clock.Elapsed;
        var peak = watch is null ? null : await watch.StopAsync();
        var (cpu, gnuPeak) = ReadStats(stats);
        return new ToolResult(wall, cpu, gnuPeak ?? peak, process.ExitCode, await output, await error);
    }

    private static (TimeSpan? Cpu, long? PeakKiB) ReadStats(string path)
    {
        if (!File.Exists(path))
        {
            return (null, null);
        }

        // GNU time writes its line last; a command that failed has "Command exited with non-zero status" before it.
        var fields = File.ReadAllLines(path).Last().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        File.Delete(path);
        var user = double.Parse(fields[0], CultureInfo.InvariantCulture);
        var system = double.Parse(fields[1], CultureInfo.InvariantCulture);
        return (TimeSpan.FromSeconds(user + system), long.Parse(fields[2], CultureInfo.InvariantCulture));
    }
}
