namespace AwsRunner.Sim.Spot;

/// <summary>
/// A spot interruption: from <paramref name="NoticeAt"/> the instance's metadata serves the notice; at
/// <paramref name="TerminateAt"/>, the notice period later, EC2 terminates the instance.
/// </summary>
internal sealed record Interruption(DateTimeOffset NoticeAt, DateTimeOffset TerminateAt)
{
    /// <summary>EC2's notice period, in minutes (the fleet's --minute scales it).</summary>
    public const int NoticeMinutes = 2;

    /// <summary>An interruption whose notice is served from <paramref name="noticeAt"/> on.</summary>
    public static Interruption NoticedAt(DateTimeOffset noticeAt, TimeSpan minute) => new(noticeAt, noticeAt + (minute * NoticeMinutes));

    public bool Noticed(DateTimeOffset now) => now >= NoticeAt;
}
