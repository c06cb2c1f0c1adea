using System.Collections.Concurrent;

namespace AwsRunner.Bench.Infrastructure;

/// <summary>
/// The proxy's running count of requests by kind. A request is counted when it arrives, before it is forwarded, so
/// once a caller has its answer the count includes it; its answer's bytes are added when the proxy has sent them.
/// </summary>
internal sealed class RequestTally
{
    private readonly ConcurrentDictionary<AwsRequest, Counter> counters = new();
    private long inFlight;

    public void Arrived(AwsRequest request)
    {
        Interlocked.Increment(ref inFlight);
        Interlocked.Increment(ref Of(request).Requests);
    }

    public void Answered(AwsRequest request, long answerBytes)
    {
        Interlocked.Add(ref Of(request).Bytes, answerBytes);
        Interlocked.Decrement(ref inFlight);
    }

    public RequestCounts Read() => new(counters.ToDictionary(c => c.Key, c => (Interlocked.Read(ref c.Value.Requests), Interlocked.Read(ref c.Value.Bytes))));

    /// <summary>The counts once the proxy has finished sending every answer (a client may exit before the last bytes are tallied).</summary>
    public async Task<RequestCounts> SettledAsync(CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(TimeSpan.FromSeconds(10));
        while (Interlocked.Read(ref inFlight) > 0)
        {
            await Task.Delay(5, deadline.Token);
        }

        return Read();
    }

    public void Clear() => counters.Clear();

    private Counter Of(AwsRequest request) => counters.GetOrAdd(request, _ => new Counter());

    private sealed class Counter
    {
        public long Requests;
        public long Bytes;
    }
}
