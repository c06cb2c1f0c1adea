namespace AwsRunner.Tests.Support;

/// <summary>Waits for something real processes do (a node runner, a CLI) to become true, failing after a deadline.</summary>
internal static class Eventually
{
    public static async Task<T> WaitAsync<T>(Func<T> read, Func<T, bool> done, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        var value = read();
        while (!done(value))
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"timed out after {timeout} waiting for {what}; last seen: {value}");
            }

            await Task.Delay(50);
            value = read();
        }

        return value;
    }

    public static Task WaitAsync(Func<bool> condition, TimeSpan timeout, string what) =>
        WaitAsync(condition, done => done, timeout, what);
}
