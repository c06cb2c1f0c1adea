using AwsRunner.Core.Dispatch;
using AwsRunner.Core.Jobs;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace AwsRunner.Cli.Rendering;

/// <summary>Draws a <see cref="BatchBoard"/> with Spectre.Console: counts by state, elapsed time, the slowest nodes.</summary>
internal static class LiveBoard
{
    private const int SlowestShown = 5;

    public static IRenderable Render(BatchBoard board)
    {
        var counts = new Table().Border(TableBorder.Rounded).AddColumn("state").AddColumn(new TableColumn("jobs").RightAligned());
        foreach (var (state, count) in board.Counts())
        {
            counts.AddRow(new Markup($"[{Colour(state)}]{state.ToName()}[/]"), new Text(count.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }

        var slowest = board.Slowest(SlowestShown);
        var rows = new List<IRenderable>
        {
            new Markup($"[bold]Batch {Markup.Escape(board.Name)}[/]: {Markup.Escape(board.Phase)}, {Formats.Elapsed(board.Elapsed)}"),
            counts,
        };
        if (slowest.Count > 0)
        {
            rows.Add(new Markup("[grey]slowest: " + Markup.Escape(string.Join(", ",
                slowest.Select(s => $"{JobIndex.Format(s.Index)} {s.State.ToName()} {Formats.Elapsed(s.For)}"))) + "[/]"));
        }

        return new Rows(rows);
    }

    private static string Colour(JobState state) => state switch
    {
        JobState.Done => "green",
        JobState.Failed or JobState.InstallFailed or JobState.Lost or JobState.Preempted or JobState.Hung or JobState.UploadFailed or JobState.Unreachable
            or JobState.Unreadable => "red",
        JobState.Running or JobState.Uploading => "blue",
        _ => "yellow",
    };
}
