using System.Globalization;
using System.Text;
using AwsRunner.Bench.Infrastructure;
using AwsRunner.Bench.Report;

namespace AwsRunner.Bench.Measurements;

/// <summary>The fan-out's part of the report: the comparison, every run, and the ways of running pssh that were tried.</summary>
internal static class FanOutReport
{
    public static string Render(
        FanOutCode code, int nodes, int repeat, PsshVariant best, List<FanOutRun> inProcess, List<FanOutRun> openSsh, List<FanOutRun> pssh, List<FanOutRun> trials)
    {
        TimeSpan Wall(List<FanOutRun> runs) => Median.Of(runs.Select(r => r.Wall));
        string Cpu(List<FanOutRun> runs) => runs.Any(r => r.Cpu is null) ? "n/a" : Formats.Seconds(Median.Of(runs.Select(r => r.Cpu!.Value)));
        string Peak(List<FanOutRun> runs) => runs.Any(r => r.PeakKiB is null) ? "n/a" : Formats.MiB(Median.Of(runs.Select(r => r.PeakKiB!.Value)) << 10);
        long Connections(List<FanOutRun> runs) => Median.Of(runs.Select(r => r.Connections));
        string PerNode(List<FanOutRun> runs) => (Connections(runs) / (double)nodes).ToString("0.#", CultureInfo.InvariantCulture);
        string Ratio(List<FanOutRun> runs) => $"**{Formats.Ratio(Wall(pssh) / Wall(runs))}**";

        var table = new MarkdownTable("", AwsrunnerFanOut.Label(openSsh: false), AwsrunnerFanOut.Label(openSsh: true), $"{PsshFanOut.Tool} (best: {best.Description})")
            .Row("wall time, every instance running → every job started (median)", Formats.Seconds(Wall(inProcess)), Formats.Seconds(Wall(openSsh)), Formats.Seconds(Wall(pssh)))
            .Row($"{PsshFanOut.Tool}'s wall time / this one's", Ratio(inProcess), Ratio(openSsh), "")
            .Row("CPU time on this machine: the tool, its ssh/scp/tar clients and ProxyCommands (median)", Cpu(inProcess), Cpu(openSsh), Cpu(pssh))
            .Row("peak memory of the largest process: awsrunner's own, pssh's Python (median)", Peak(inProcess), Peak(openSsh), Peak(pssh))
            .Row("SSH connections opened (median)", Formats.Count(Connections(inProcess)), Formats.Count(Connections(openSsh)), Formats.Count(Connections(pssh)))
            .Row("SSH connections a node", PerNode(inProcess), PerNode(openSsh), PerNode(pssh));

        var steps = pssh.SelectMany(r => r.Steps).GroupBy(s => s.Step, StringComparer.Ordinal)
            .Select(g => $"{g.Key} {Formats.Seconds(Median.Of(g.Select(s => s.Time)))}");
        var tried = new MarkdownTable("tried once, before the comparison", "wall time", "CPU time", "peak memory", "SSH connections", "steps");
        foreach (var run in trials)
        {
            tried.Row(run.Tool, Formats.Seconds(run.Wall), Formats.Optional(run.Cpu), run.PeakKiB is { } kib ? Formats.MiB(kib << 10) : "n/a", Formats.Count(run.Connections),
                string.Join(", ", run.Steps.Select(s => $"{s.Step} {Formats.Seconds(s.Time)}")));
        }

        var text = new StringBuilder();
        text.AppendLine(
            CultureInfo.InvariantCulture,
            $"The code folder: {Formats.Count(code.Files)} files in {Formats.MiB(code.Bytes)} (a third random bytes, the rest text; {Formats.MiB(code.BundleBytes)} as tar.gz, " +
            $"which `tar czf` made in {Formats.Seconds(code.BundleTime)} before any clock, as awsrunner makes its bundle before it launches). " +
            $"On every node: the folder as `~/code`, an INSTALL.sh that counts its files and leaves a marker, then `{FanOutSetup.Job}` started detached. " +
            $"Each run has fresh instances; every node's marker and job are checked after it.");
        text.AppendLine();
        text.AppendLine(table.ToString());
        text.AppendLine(
            CultureInfo.InvariantCulture,
            $"Each tool ran {Formats.Count(repeat)} times, taking turns, after one unreported awsrunner run. All runs (wall): " +
            $"{AwsrunnerFanOut.Label(openSsh: false)} {string.Join(", ", inProcess.Select(r => Formats.Seconds(r.Wall)))}; " +
            $"{AwsrunnerFanOut.Label(openSsh: true)} {string.Join(", ", openSsh.Select(r => Formats.Seconds(r.Wall)))}; " +
            $"{PsshFanOut.Tool} {string.Join(", ", pssh.Select(r => Formats.Seconds(r.Wall)))}. " +
            $"{PsshFanOut.Tool}'s steps (medians): {string.Join(", ", steps)}.");
        text.AppendLine();
        text.Append(tried);
        return text.ToString();
    }
}
