using AwsRunner.Core.Dispatch;
using Spectre.Console;

namespace AwsRunner.Cli.Rendering;

/// <summary>
/// The live board on a terminal. Details (a failed INSTALL.sh's log tail) would be lost in a redrawn view, so they
/// are kept and printed once the board is done.
/// </summary>
internal sealed class LiveView(BatchBoard board, LiveDisplayContext context) : IDispatchView
{
    private readonly List<NodeProgress> details = [];

    public IReadOnlyList<NodeProgress> Details => details;

    public void Phase(string phase)
    {
        board.Phase = phase;
        Redraw();
    }

    public void Node(NodeProgress progress)
    {
        board.Apply(progress);
        // A node that failed before its job started: what it said is all the user gets of it.
        if (progress.Detail is not null && progress.State.Problem() == JobProblem.Cloud && !progress.State.IsStarted())
        {
            details.Add(progress);
        }

        Redraw();
    }

    public void Status(BatchStatus status)
    {
        board.Apply(status);
        Redraw();
    }

    private void Redraw() => context.UpdateTarget(LiveBoard.Render(board));
}
