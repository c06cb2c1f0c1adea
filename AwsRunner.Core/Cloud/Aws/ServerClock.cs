namespace AwsRunner.Core.Cloud.Aws;

/// <summary>
/// S3's clock as this process last saw it: the Date header of its latest response, against the injected clock when
/// that response came. Objects' times (LastModified) are on S3's clock, from which this machine's may be minutes off
/// (common in VMs and WSL), so ages of objects are measured on this one.
/// </summary>
internal sealed class ServerClock(TimeProvider time)
{
    private long offsetTicks;
    private int measured;

    /// <summary>Whether a response has told S3's time yet.</summary>
    public bool Measured => Volatile.Read(ref measured) != 0;

    /// <summary>What S3's clock says now (this machine's until a response told otherwise).</summary>
    public DateTimeOffset Now => time.GetUtcNow() + TimeSpan.FromTicks(Interlocked.Read(ref offsetTicks));

    /// <summary>Takes the time a response was sent at, as it arrives.</summary>
    public void Observe(DateTimeOffset serverTime)
    {
        Interlocked.Exchange(ref offsetTicks, (serverTime - time.GetUtcNow()).Ticks);
        Volatile.Write(ref measured, 1);
    }
}
