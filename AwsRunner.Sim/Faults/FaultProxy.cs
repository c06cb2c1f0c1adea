using System.Text;
using System.Text.RegularExpressions;
using System.Web;
using Microsoft.AspNetCore.Http;

namespace AwsRunner.Sim.Faults;

/// <summary>
/// A reverse proxy on a free 127.0.0.1 port in front of moto that answers some requests with faults instead of
/// forwarding them, as its <see cref="IFaultPolicy"/> decides, and counts what it did. Given to awsrunner as
/// --endpoint-url, it sits on every EC2 and S3 call, the nodes' presigned uploads included (their URLs name it).
/// Forwarded requests go through a <see cref="LoopbackProxy"/>, as they came.
/// </summary>
internal sealed partial class FaultProxy : IAsyncDisposable
{
    private readonly IFaultPolicy policy;
    private LoopbackProxy forwarder = null!;

    private FaultProxy(IFaultPolicy policy) => this.policy = policy;

    public Uri Url => forwarder.Url;

    public FaultTally Tally { get; } = new();

    public static async Task<FaultProxy> StartAsync(Uri target, IFaultPolicy policy, CancellationToken cancellationToken)
    {
        var proxy = new FaultProxy(policy);
        proxy.forwarder = await LoopbackProxy.StartAsync(target, proxy.HandleAsync, cancellationToken).ConfigureAwait(false);
        return proxy;
    }

    public ValueTask DisposeAsync() => forwarder.DisposeAsync();

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var lane = LaneOf(request.Headers.Authorization, request.QueryString.Value ?? "");
        // EC2's calls are small forms: read to learn the Action, then forwarded as read. S3 bodies are streamed.
        var form = lane == AwsLane.Ec2 ? await new StreamReader(request.Body).ReadToEndAsync(context.RequestAborted).ConfigureAwait(false) : null;
        var call = new AwsCall(lane, form is null ? null : HttpUtility.ParseQueryString(form)["Action"]);

        if (await policy.DecideAsync(call, context.RequestAborted).ConfigureAwait(false) is { } fault)
        {
            Tally.CountInjected(lane);
            await AnswerAsync(context, fault).ConfigureAwait(false);
            return;
        }

        Tally.CountForwarded(lane);
        await forwarder.ForwardAsync(context, form, context.Response.Body).ConfigureAwait(false);
    }

    private static async Task AnswerAsync(HttpContext context, Fault fault)
    {
        if (fault == Fault.Drop)
        {
            context.Abort();
            return;
        }

        // Read what was sent first: a fault answered over an unread upload would reach the caller as a reset connection.
        await context.Request.Body.CopyToAsync(Stream.Null, context.RequestAborted).ConfigureAwait(false);
        var requestId = Guid.NewGuid().ToString();
        var (contentType, body) = fault switch
        {
            Fault.RequestLimitExceeded => ("text/xml", $"""<?xml version="1.0" encoding="UTF-8"?><Response><Errors><Error><Code>RequestLimitExceeded</Code><Message>Request limit exceeded.</Message></Error></Errors><RequestID>{requestId}</RequestID></Response>"""),
            Fault.SlowDown => ("application/xml", $"""<?xml version="1.0" encoding="UTF-8"?><Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message><RequestId>{requestId}</RequestId></Error>"""),
            _ => ("text/plain", "Service Unavailable"),
        };
        context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        context.Response.ContentType = contentType;
        context.Response.Headers["x-amz-request-id"] = requestId;
        if (!HttpMethods.IsHead(context.Request.Method))
        {
            await context.Response.Body.WriteAsync(Encoding.UTF8.GetBytes(body), context.RequestAborted).ConfigureAwait(false);
        }
    }

    /// <summary>The lane from the SigV4 scope (in the Authorization header, or the presigned URL's X-Amz-Credential).</summary>
    private static AwsLane LaneOf(string? authorization, string query)
    {
        var parameters = HttpUtility.ParseQueryString(query);
        var presigned = parameters["X-Amz-Signature"] is not null;
        var scope = ScopePattern().Match((presigned ? parameters["X-Amz-Credential"] : authorization) ?? "");
        return (scope.Success ? scope.Groups[1].Value : "", presigned) switch
        {
            ("ec2", _) => AwsLane.Ec2,
            ("s3", false) => AwsLane.S3,
            ("s3", true) => AwsLane.S3Presigned,
            _ => AwsLane.Other,
        };
    }

    // ".../20250101/us-east-1/s3/aws4_request", in an Authorization header or an X-Amz-Credential parameter.
    [GeneratedRegex(@"[^/\s,=]+/\d{8}/[^/]+/([a-z0-9-]+)/aws4_request")]
    private static partial Regex ScopePattern();
}
