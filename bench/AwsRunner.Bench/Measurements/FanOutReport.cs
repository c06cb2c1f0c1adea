using System.Globalization;
using System.Text;
using AwsRunner.Bench.Infrastructure;
using AwsRunner.Bench.Report;

namespace AwsRunner.Bench.Measurements;

/// <summary>The fan-out's part of the report: the comparison, every run, and the ways of running pssh that were tried.</summary>
internal static class FanOutReport
{
    public static string Render(FanOutCode code, int nodes, int repeat, PsshVariant best, List<FanOutRun> awsrunner, List<FanOutRun> pssh, List<FanOutRun> trials)
    {
        TimeSpan Wall(List<FanOutRun> runs) => Median.Of(runs.Select(r => r.Wall));
        string Cpu(List<FanOutRun> runs) => runs.Any(r => r.Cpu is null) ? "n/a" : Formats.Seconds(Median.Of(runs.Select(r => r.Cpu!.Value)));
        long Connections(List<FanOutRun> runs) => Median.Of(runs.Select(r => r.Connections));
        string PerNode(List<FanOutRun> runs) => (Connections(runs) / (double)nodes).ToString("0.#", CultureInfo.InvariantCulture);

        var table = new MarkdownTable("", AwsrunnerFanOut.Tool, $"{PsshFanOut.Tool} (best: {best.Description})", $"{PsshFanOut.Tool} / {AwsrunnerFanOut.Tool}")
            .Row("wall time, every instance running → every job started (median)", Formats.Seconds(Wall(awsrunner)), Formats.Seconds(Wall(pssh)),
                $"**{Formats.Ratio(Wall(pssh) / Wall(awsrunner))}**")
            .Row("CPU time on this machine: the tool, its ssh/scp/tar clients and proxies (median)", Cpu(awsrunner), Cpu(pssh), "")
            .Row("SSH connections opened (median)", Formats.Count(Connections(awsrunner)), Formats.Count(Connections(pssh)), "")
            .Row("SSH connections a node", PerNode(awsrunner), PerNode(pssh), "");

        var steps = pssh.SelectMany(r => r.Steps).GroupBy(s => s.Step, StringComparer.Ordinal)
            .Select(g => $"{g.Key} {Formats.Seconds(Median.Of(g.Select(s => s.Time)))}");
        var tried = new MarkdownTable("tried once, before the comparison", "wall time", "CPU time", "SSH connections", "steps");
        foreach (var run in trials)
        {
            tried.Row(run.Tool, Formats.Seconds(run.Wall), Formats.Optional(run.Cpu), Formats.Count(run.Connections),
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
            $"Each tool ran {Formats.Count(repeat)} times, alternately, after one unreported awsrunner run. All runs (wall): " +
            $"{AwsrunnerFanOut.Tool} {string.Join(", ", awsrunner.Select(r => Formats.Seconds(r.Wall)))}; " +
            $"{PsshFanOut.Tool} {string.Join(", ", pssh.Select(r => Formats.Seconds(r.Wall)))}. " +
            $"{PsshFanOut.Tool}'s steps (medians): {string.Join(", ", steps)}.");
        text.AppendLine();
        text.Append(tried);
        return text.ToString();
    }
}
