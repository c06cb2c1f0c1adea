using System.Text.Json;
using System.Text.Json.Serialization;

namespace AwsRunner.Core.Dispatch;

/// <summary>
/// A job's <c>status.json</c>, as the runner writes it once the command has ended: <c>state</c> says how the attempt
/// ended (done, failed, preempted, or deadline when the dead man's switch stopped it, its exit code then null; older
/// runners wrote it only for deadline), <c>results_error</c> when its archive does not hold every result, and
/// <c>archive</c>, the results archive as the node packed it (older runners did not say), the row's <c>attempt</c>, and the <c>node</c> (instance id) that ran it.
/// </summary>
internal sealed record StatusDocument(
    int Index, string? Job, int? ExitCode, DateTimeOffset? Started, DateTimeOffset? Finished, string? Host, string? State = null, string? ResultsError = null,
    PackedArchive? Archive = null, int Attempt = 1, string? Node = null)
{
    /// <summary>
    /// The document is in the bucket but does not parse. The runner writes it whole, in one PUT (a rename on the local
    /// cloud), so it will not mend itself: the job ended, and its result is there to look at.
    /// </summary>
    [JsonIgnore]
    public bool Unreadable { get; init; }

    /// <summary>Done only for exit code 0 with every result packed.</summary>
    public JobState Outcome =>
        Unreadable ? JobState.Unreadable
        : State is { } state ? JobStates.FromRunner(state)
        : ExitCode == 0 && ResultsError is null ? JobState.Done
        : JobState.Failed;

    /// <summary>The document in these bytes, or one that says they are <see cref="Unreadable"/>.</summary>
    public static StatusDocument Read(byte[] bytes)
    {
        try
        {
            return JsonSerializer.Deserialize<StatusDocument>(bytes, Ledger.LedgerDocument.Json) ?? UnreadableDocument;
        }
        catch (JsonException)
        {
            return UnreadableDocument;
        }
    }

    private static StatusDocument UnreadableDocument => new(-1, null, null, null, null, null) { Unreadable = true };
}
