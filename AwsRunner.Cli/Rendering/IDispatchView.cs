using AwsRunner.Core.Dispatch;

namespace AwsRunner.Cli.Rendering;

/// <summary>How a dispatch shows its progress: line by line, or as a live board on a terminal.</summary>
internal interface IDispatchView
{
    /// <summary>What the dispatch is doing now: creating, dispatching, running.</summary>
    void Phase(string phase);

    void Node(NodeProgress progress);

    void Status(BatchStatus status);
}
