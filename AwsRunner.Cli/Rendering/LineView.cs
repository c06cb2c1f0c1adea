using AwsRunner.Core.Dispatch;
using AwsRunner.Core.Jobs;

namespace AwsRunner.Cli.Rendering;

/// <summary>Plain progress, one line per change: for logs, pipes and --no-progress.</summary>
internal sealed class LineView(Terminal terminal, bool toError) : IDispatchView
{
    private string counts = "";

    public void Phase(string phase)
    {
    }

    public void Node(NodeProgress progress) => terminal.Info(Line(progress), toError);

    public void Status(BatchStatus status)
    {
        var line = StatusView.CountsLine(status);
        if (line != counts)
        {
            counts = line;
            terminal.Info($"{DateTime.Now:HH:mm:ss}  {line}", toError);
        }
    }

    public static string Line(NodeProgress progress)
    {
        var line = $"  job {JobIndex.Format(progress.Index)}  {(progress.Adopted ? "adopted" : progress.State.ToName())}";
        return OptionFlags.ApplyOrNull(progress.Detail) switch
        {
            null => line,
            { } detail when !detail.Contains('\n', StringComparison.Ordinal) && progress.State.IsFinal() && progress.State.IsStarted() => $"{line} ({detail})",
            { } detail => line + Environment.NewLine + string.Join(Environment.NewLine, detail.Split('\n').Select(l => "      | " + l)),
        };
    }
}
