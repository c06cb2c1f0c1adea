using AwsRunner.Core.Dispatch;

namespace AwsRunner.Core.Queue;

/// <summary>How a node works through its queue: the settings of its <c>work.env</c> that are the same for every node of a dispatch.</summary>
internal sealed record QueueNodeSettings
{
    /// <summary>Rows a node runs at once.</summary>
    public required int Slots
    {
        get;
        init => field = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(Slots), value, "a node runs at least one row at once");
    }

    /// <summary>The batch's heartbeat, fixed at its creation: a lease is judged by it.</summary>
    public required int HeartbeatSeconds { get; init; }

    /// <summary>With nothing claimable but rows of its type still running elsewhere, how long a node keeps looking before it powers off.</summary>
    public required TimeSpan Idle { get; init; }

    /// <summary>Exit codes worth the next attempt.</summary>
    public required IReadOnlyList<int> RetryOnExit { get; init; }

    /// <summary>Paths, relative to the code folder, packed into each row's results.</summary>
    public required IReadOnlyList<string> ResultPaths { get; init; }

    /// <summary>A row still running after this long is stopped; none when null.</summary>
    public required TimeSpan? JobTimeout { get; init; }

    /// <summary>How long a node retries a failed upload before its state says upload-failed.</summary>
    public required TimeSpan UploadGrace { get; init; }

    /// <summary>The part size of a results archive, in bytes.</summary>
    public required long ResultPartBytes { get; init; }

    /// <summary>A dispatch's settings: the batch's heartbeat and the options of the dispatch that runs.</summary>
    public static QueueNodeSettings For(DispatchRound round, int slots, TimeSpan idle) => new()
    {
        Slots = slots,
        HeartbeatSeconds = round.Settings.HeartbeatSeconds,
        Idle = idle,
        RetryOnExit = round.Options.RetryOnExit,
        ResultPaths = round.Options.ResultPaths,
        JobTimeout = round.Options.JobTimeout,
        UploadGrace = round.Options.UploadGrace,
        ResultPartBytes = round.Options.ResultPartSize,
    };
}
