using Polly;
using Polly.Retry;

namespace AwsRunner.Core;

/// <summary>Polls through a Polly retry pipeline on the injected clock, so tests never sleep.</summary>
internal static class Polling
{
    /// <summary>Reads every <paramref name="interval"/> until <paramref name="done"/> or <paramref name="timeout"/>; returns the last reading.</summary>
    public static async Task<T> UntilAsync<T>(
        Func<CancellationToken, ValueTask<T>> read,
        Func<T, bool> done,
        TimeSpan interval,
        TimeSpan timeout,
        TimeProvider time,
        CancellationToken cancellationToken)
    {
        var attempts = timeout == Timeout.InfiniteTimeSpan
            ? int.MaxValue
            : (int)Math.Clamp(Math.Ceiling(timeout / interval), 1, int.MaxValue);
        var pipeline = new ResiliencePipelineBuilder<T> { TimeProvider = time }
            .AddRetry(new RetryStrategyOptions<T>
            {
                ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is null && !done(args.Outcome.Result!)),
                MaxRetryAttempts = attempts,
                Delay = interval,
                BackoffType = DelayBackoffType.Constant,
                UseJitter = false,
            })
            .Build();
        return await pipeline.ExecuteAsync(read, cancellationToken).ConfigureAwait(false);
    }
}
