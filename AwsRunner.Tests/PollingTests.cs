using System.Diagnostics;
using AwsRunner.Core;
using Microsoft.Extensions.Time.Testing;

namespace AwsRunner.Tests;

public sealed class PollingTests
{
    [Test]
    public async Task Until_ConditionMetOnTheFifthRead_ReturnsThatReadingAfterFourIntervals()
    {
        var time = new FakeTimeProvider();
        var start = time.GetUtcNow();
        var reads = 0;

        var result = await AdvanceUntilDoneAsync(time,
            Polling.UntilAsync(_ => ValueTask.FromResult(++reads), n => n == 5, TimeSpan.FromMinutes(1), TimeSpan.FromHours(1), time, CancellationToken.None),
            TimeSpan.FromSeconds(10));

        Assert.That(result, Is.EqualTo(5));
        Assert.That(time.GetUtcNow() - start, Is.EqualTo(TimeSpan.FromMinutes(4)).Within(TimeSpan.FromSeconds(10)));
    }

    [Test]
    public async Task Until_ConditionNeverMet_GivesUpAtTheTimeoutWithTheLastReadingAndNoRealSleep()
    {
        var time = new FakeTimeProvider();
        var reads = 0;
        var watch = Stopwatch.StartNew();

        var result = await AdvanceUntilDoneAsync(time,
            Polling.UntilAsync(_ => ValueTask.FromResult(++reads), _ => false, TimeSpan.FromMinutes(10), TimeSpan.FromHours(2), time, CancellationToken.None),
            TimeSpan.FromMinutes(1));

        Assert.That(result, Is.EqualTo(13), "the first read and one per interval for two hours");
        Assert.That(watch.Elapsed, Is.LessThan(TimeSpan.FromSeconds(10)));
    }

    /// <summary>Advances the clock in steps until the task completes, so that code awaiting several delays in turn goes on.</summary>
    private static async Task<T> AdvanceUntilDoneAsync<T>(FakeTimeProvider time, Task<T> task, TimeSpan step)
    {
        for (var i = 0; i < 100_000 && !task.IsCompleted; i++)
        {
            await Task.Yield();
            time.Advance(step);
            await Task.Delay(1);
        }

        return await task;
    }
}
