using System.Net;
using Amazon.Runtime;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;

namespace AwsRunner.Core.Cloud.Aws;

/// <summary>
/// The retry pipeline for every AWS call: throttling (RequestLimitExceeded, SlowDown, 503) and transient failures
/// are retried with jittered exponential backoff on the injected clock. The SDK's own retries are off, so there is
/// one policy, not two stacked.
/// </summary>
internal static partial class AwsRetry
{
    private static readonly HashSet<string> RetriedCodes = new(StringComparer.Ordinal)
    {
        "RequestLimitExceeded", "Throttling", "ThrottlingException", "SlowDown", "TooManyRequestsException",
        "ServiceUnavailable", "Unavailable", "InternalError", "InternalFailure", "RequestTimeout", "RequestTimeoutException",
    };

    // EC2 answers these with HTTP 500, but waiting seconds does not bring capacity back; the caller decides (spot falls back).
    private static readonly HashSet<string> CapacityCodes = new(StringComparer.Ordinal)
    {
        "InsufficientInstanceCapacity", "InsufficientHostCapacity", "InsufficientReservedInstanceCapacity", "InsufficientCapacity",
        "InsufficientAddressCapacity",
    };

    public static ResiliencePipeline Create(AwsTuning tuning, TimeProvider time, ILogger logger) =>
        new ResiliencePipelineBuilder { TimeProvider = time }
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is { } e && IsRetried(e)),
                MaxRetryAttempts = tuning.MaxRetries,
                Delay = tuning.RetryBaseDelay,
                MaxDelay = tuning.RetryMaxDelay,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                OnRetry = args =>
                {
                    var reason = Describe(args.Outcome.Exception!);
                    LogRetrying(logger, reason, args.AttemptNumber + 1, args.RetryDelay);
                    return ValueTask.CompletedTask;
                },
            })
            .Build();

    public static bool IsRetried(Exception exception) => exception switch
    {
        AmazonServiceException e => RetriedCodes.Contains(e.ErrorCode ?? "")
            || (((int)e.StatusCode >= 500 || e.StatusCode == HttpStatusCode.TooManyRequests) && !CapacityCodes.Contains(e.ErrorCode ?? "")),
        HttpRequestException => true,
        TaskCanceledException e => e.InnerException is TimeoutException,
        _ => false,
    };

    private static string Describe(Exception exception) => exception switch
    {
        AmazonServiceException e => e.ErrorCode ?? e.StatusCode.ToString(),
        _ => exception.GetType().Name,
    };

    [LoggerMessage(Level = LogLevel.Information, Message = "AWS answered {Reason}; attempt {Attempt} in {Delay}")]
    private static partial void LogRetrying(ILogger logger, string reason, int attempt, TimeSpan delay);
}
