namespace AwsRunner.Tests.Support;

/// <summary>A clock that moves only when told: timers fire as <see cref="Advance"/> passes their due time.</summary>
internal sealed class FakeTimeProvider(DateTimeOffset start) : TimeProvider
{
    private readonly Lock gate = new();
    private readonly List<FakeTimer> timers = [];
    private DateTimeOffset now = start;

    public FakeTimeProvider()
        : this(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero))
    {
    }

    public override DateTimeOffset GetUtcNow()
    {
        lock (gate)
        {
            return now;
        }
    }

    public override long GetTimestamp() => GetUtcNow().UtcTicks;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public void Advance(TimeSpan by)
    {
        List<FakeTimer> due;
        lock (gate)
        {
            now += by;
            due = timers.Where(t => t.Due <= now).ToList();
        }

        foreach (var timer in due)
        {
            timer.Fire();
        }
    }

    /// <summary>Advances in steps until the task completes, so that code awaiting several delays in turn goes on.</summary>
    public async Task<T> RunAsync<T>(Task<T> task, TimeSpan step, int maxSteps = 100_000)
    {
        for (var i = 0; i < maxSteps && !task.IsCompleted; i++)
        {
            await Task.Yield();
            Advance(step);
            await Task.Delay(1);
        }

        return await task;
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new FakeTimer(this, callback, state);
        timer.Change(dueTime, period);
        return timer;
    }

    private sealed class FakeTimer(FakeTimeProvider clock, TimerCallback callback, object? state) : ITimer
    {
        private TimeSpan period = Timeout.InfiniteTimeSpan;

        public DateTimeOffset Due { get; private set; } = DateTimeOffset.MaxValue;

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            lock (clock.gate)
            {
                this.period = period;
                Due = dueTime == Timeout.InfiniteTimeSpan ? DateTimeOffset.MaxValue : clock.now + dueTime;
                if (!clock.timers.Contains(this))
                {
                    clock.timers.Add(this);
                }
            }

            return true;
        }

        public void Fire()
        {
            lock (clock.gate)
            {
                Due = period == Timeout.InfiniteTimeSpan ? DateTimeOffset.MaxValue : clock.now + period;
            }

            callback(state);
        }

        public void Dispose()
        {
            lock (clock.gate)
            {
                clock.timers.Remove(this);
            }
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
