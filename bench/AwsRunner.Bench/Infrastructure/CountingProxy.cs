using System.Web;
using AwsRunner.Sim.Faults;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace AwsRunner.Bench.Infrastructure;

/// <summary>
/// A reverse proxy on a free 127.0.0.1 port in front of moto that counts every request by service, operation and
/// method, and the bytes of each answer; the forwarding is the simulated fleet's <see cref="LoopbackProxy"/>.
/// </summary>
internal sealed class CountingProxy : IAsyncDisposable
{
    private LoopbackProxy forwarder = null!;

    private CountingProxy()
    {
    }

    public Uri Url => forwarder.Url;

    public RequestTally Tally { get; } = new();

    /// <summary>The bytes PUT to S3, by sender.</summary>
    public UploadTally Uploads { get; } = new();

    public static async Task<CountingProxy> StartAsync(Uri target, CancellationToken cancellationToken)
    {
        var proxy = new CountingProxy();
        proxy.forwarder = await LoopbackProxy.StartAsync(target, proxy.CountAndForwardAsync, cancellationToken);
        return proxy;
    }

    public ValueTask DisposeAsync() => forwarder.DisposeAsync();

    private async Task CountAndForwardAsync(HttpContext context)
    {
        var request = context.Request;
        var rawTarget = context.Features.GetRequiredFeature<IHttpRequestFeature>().RawTarget;
        // EC2's Query calls are small forms: read them to learn the Action. Anything else (S3 bodies) is streamed.
        var form = request.ContentType?.StartsWith("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase) == true
            ? await new StreamReader(request.Body).ReadToEndAsync(context.RequestAborted)
            : null;
        var kind = AwsRequestKinds.Classify(
            request.Method, rawTarget, request.Headers.Authorization, request.Headers["x-amz-copy-source"], form is null ? null : HttpUtility.ParseQueryString(form)["Action"]);

        Tally.Arrived(kind);
        if (kind.Service == "s3" && request.Method == "PUT")
        {
            var declared = long.TryParse(request.Headers["x-amz-decoded-content-length"], out var decoded) ? decoded : request.ContentLength ?? 0;
            var path = rawTarget.Split('?', 2)[0];
            Uploads.Count(UploadTally.Sender(path, request.Headers.UserAgent), declared);
        }

        var counted = new CountingStream(context.Response.Body);
        try
        {
            await forwarder.ForwardAsync(context, form, counted);
        }
        finally
        {
            Tally.Answered(kind, counted.Written);
        }
    }
}
