using System.Globalization;
using System.Runtime.InteropServices;
using AwsRunner.Bench.Infrastructure;

namespace AwsRunner.Bench.Report;

/// <summary>The machine and the tools' versions: every absolute time in the report is this machine's.</summary>
internal static class MachineDescription
{
    public static async Task<string> DescribeAsync(ToolRunner tools, string workFolder, bool inMemory, CancellationToken cancellationToken)
    {
        var cpu = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "unknown";
        var memory = File.ReadLines("/proc/meminfo").FirstOrDefault(l => l.StartsWith("MemTotal:", StringComparison.Ordinal)) is { } line
            ? long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / (1024 * 1024) + " GiB"
            : "unknown";
        var os = File.Exists("/etc/os-release")
            ? File.ReadLines("/etc/os-release").FirstOrDefault(l => l.StartsWith("PRETTY_NAME=", StringComparison.Ordinal))?.Split('=', 2)[1].Trim('"')
            : null;
        var aws = await VersionAsync(tools, "aws", ["--version"], workFolder, cancellationToken);
        var moto = await VersionAsync(tools, "python3", ["-c", "import moto; print('moto', moto.__version__)"], workFolder, cancellationToken);
        return new MarkdownTable("", "this machine")
            .Row("CPU", $"{cpu}, {Environment.ProcessorCount} cores")
            .Row("memory", memory)
            .Row("system", $"{os ?? RuntimeInformation.OSDescription}, Linux {File.ReadAllText("/proc/sys/kernel/osrelease").Trim()}")
            .Row(".NET", RuntimeInformation.FrameworkDescription)
            .Row("AWS CLI", aws)
            .Row("moto_server", moto)
            .Row("work folder", inMemory ? "in memory (/dev/shm): disk speed is not measured" : "on disk (the system temp folder)")
            .Row("measured with", ToolRunner.HasGnuTime ? "wall: stopwatch; CPU and peak memory: GNU time" : "wall: stopwatch; peak memory: /proc VmHWM polling")
            .ToString();
    }

    private static async Task<string> VersionAsync(ToolRunner tools, string program, string[] arguments, string workFolder, CancellationToken cancellationToken)
    {
        var result = await tools.RunAnyAsync(program, arguments, workFolder, cancellationToken);
        var text = (result.Output + result.Error).Trim();
        return result.ExitCode == 0 && text.Length > 0 ? text.Split('\n')[0] : "unknown";
    }
}
