namespace AwsRunner.Bench.Infrastructure;

/// <summary>Requests counted by the proxy over some span of a run, with the bytes their answers carried.</summary>
internal sealed record RequestCounts(IReadOnlyDictionary<AwsRequest, (long Requests, long Bytes)> ByKind)
{
    public long Requests(string service, string? operation = null) =>
        ByKind.Where(k => k.Key.Service == service && (operation is null || k.Key.Operation == operation)).Sum(k => k.Value.Requests);

    public long Bytes(string service) => ByKind.Where(k => k.Key.Service == service).Sum(k => k.Value.Bytes);

    /// <summary>Every operation of a service, most requests first.</summary>
    public IReadOnlyList<(string Operation, long Requests)> Operations(string service) =>
        ByKind.Where(k => k.Key.Service == service && k.Value.Requests > 0)
            .GroupBy(k => k.Key.Operation, StringComparer.Ordinal)
            .Select(g => (g.Key, g.Sum(k => k.Value.Requests)))
            .OrderByDescending(o => o.Item2)
            .ThenBy(o => o.Key, StringComparer.Ordinal)
            .ToList();

    /// <summary>Requests made with an HTTP method, whatever the operation: S3's listings are GETs too.</summary>
    public long WithMethod(string service, string method) =>
        ByKind.Where(k => k.Key.Service == service && k.Key.Method == method).Sum(k => k.Value.Requests);

    public RequestCounts Minus(RequestCounts earlier) => new(ByKind.ToDictionary(
        k => k.Key,
        k => earlier.ByKind.TryGetValue(k.Key, out var before) ? (k.Value.Requests - before.Requests, k.Value.Bytes - before.Bytes) : k.Value));
}
