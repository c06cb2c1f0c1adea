namespace AwsRunner.Tests.Support;

/// <summary>
/// A clock on which no one waits: every timer fires once, at once, on the thread pool, and the clock jumps forward by the
/// timer's due time. Tests read <see cref="Waits"/> to see what the code under test would have waited.
/// </summary>
internal sealed class InstantTimeProvider : TimeProvider
{
    private readonly Lock gate = new();
    private readonly List<TimeSpan> waits = [];
    private DateTimeOffset now = new(2030, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public IReadOnlyList<TimeSpan> Waits
    {
        get
        {
            lock (gate)
            {
                return [.. waits];
            }
        }
    }

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override DateTimeOffset GetUtcNow()
    {
        lock (gate)
        {
            return now;
        }
    }

    public override long GetTimestamp() => GetUtcNow().UtcTicks;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new InstantTimer(this, callback, state);
        timer.Change(dueTime, period);
        return timer;
    }

    private void Elapse(TimeSpan wait)
    {
        lock (gate)
        {
            now += wait;
            waits.Add(wait);
        }
    }

    private sealed class InstantTimer(InstantTimeProvider clock, TimerCallback callback, object? state) : ITimer
    {
        private volatile bool disposed;

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            if (disposed || dueTime == Timeout.InfiniteTimeSpan)
            {
                return !disposed;
            }

            clock.Elapse(dueTime);
            // Fired later, not here: the code that creates a timer is not ready for its callback until it returns.
            ThreadPool.QueueUserWorkItem(_ =>
            {
                if (!disposed)
                {
                    callback(state);
                }
            });
            return true;
        }

        public void Dispose() => disposed = true;

        public ValueTask DisposeAsync()
        {
            disposed = true;
            return ValueTask.CompletedTask;
        }
    }
}
