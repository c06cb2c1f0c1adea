namespace AwsRunner.Core.Dispatch;

/// <summary>How long a node may be silent: the one rule for hung, and for a wait giving up on a hung node.</summary>
internal static class Heartbeats
{
    /// <summary>Three missed beats, and a little for a slow upload, before a silent node counts as hung.</summary>
    public static TimeSpan HungAfter(int heartbeatSeconds) => TimeSpan.FromSeconds(3 * heartbeatSeconds + 10);

    /// <summary>
    /// A wait terminates a hung node, and retries its row, once it has been silent twice as long as it took to count
    /// as hung: a node whose uploads were slow for a while has caught up by then.
    /// </summary>
    public static TimeSpan GiveUpAfter(int heartbeatSeconds) => 2 * HungAfter(heartbeatSeconds);
}
