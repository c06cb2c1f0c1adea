using System.Globalization;

namespace AwsRunner.Core.Node;

/// <summary>What <c>runner.sh report</c> says about a node: its state, exit codes and the tail of its log.</summary>
internal sealed record NodeReport(string State, int? InstallExitCode, int? ExitCode, string LogTail)
{
    private const string LogMarker = "--- log";

    public static NodeReport Parse(string output)
    {
        var lines = output.ReplaceLineEndings("\n").Split('\n');
        var values = lines.TakeWhile(l => l != LogMarker)
            .Select(l => l.Split('=', 2))
            .Where(p => p.Length == 2)
            .ToDictionary(p => p[0], p => p[1]);
        var tail = string.Join('\n', lines.SkipWhile(l => l != LogMarker).Skip(1)).TrimEnd('\n');
        return new NodeReport(
            values.GetValueOrDefault("state", "none"),
            ParseCode(values.GetValueOrDefault("install_exit_code")),
            ParseCode(values.GetValueOrDefault("exit_code")),
            tail);
    }

    private static int? ParseCode(string? text) =>
        int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var code) ? code : null;
}
