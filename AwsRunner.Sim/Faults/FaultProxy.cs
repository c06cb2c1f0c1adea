using System.Security;
using System.Text;
using System.Text.RegularExpressions;
using System.Web;
using Microsoft.AspNetCore.Http;

namespace AwsRunner.Sim.Faults;

/// <summary>
/// A reverse proxy on a free 127.0.0.1 port in front of moto that answers some requests with faults instead of
/// forwarding them, as its <see cref="IFaultPolicy"/> decides, and counts what it did. Given to awsrunner as
/// --endpoint-url, it sits on every EC2 and S3 call, the nodes' presigned uploads included (their URLs name it).
/// Forwarded requests go through a <see cref="LoopbackProxy"/>, as they came; with an <see cref="AccountQuota"/>, the
/// RunInstances calls it lets through have their counts cut down to what it granted, and those it refuses are answered
/// with EC2's limit errors and counted as injected faults.
/// </summary>
internal sealed partial class FaultProxy : IAsyncDisposable
{
    private readonly IFaultPolicy policy;
    private readonly AccountQuota? quota;
    private LoopbackProxy forwarder = null!;

    private FaultProxy(IFaultPolicy policy, AccountQuota? quota)
    {
        this.policy = policy;
        this.quota = quota;
    }

    public Uri Url => forwarder.Url;

    public FaultTally Tally { get; } = new();

    public static Task<FaultProxy> StartAsync(Uri target, IFaultPolicy policy, CancellationToken cancellationToken) =>
        StartAsync(target, policy, null, cancellationToken);

    public static async Task<FaultProxy> StartAsync(Uri target, IFaultPolicy policy, AccountQuota? quota, CancellationToken cancellationToken)
    {
        var proxy = new FaultProxy(policy, quota);
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

        // The quota decides RunInstances one at a time, each once the one before was answered.
        using var admission = quota is not null && call is { Lane: AwsLane.Ec2, Action: "RunInstances" }
            ? await quota.AdmitAsync(form!, context.RequestAborted).ConfigureAwait(false)
            : null;
        if (admission?.Refusal is { } refusal)
        {
            Tally.CountInjected(lane);
            await AnswerAsync(context, refusal).ConfigureAwait(false);
            return;
        }

        Tally.CountForwarded(lane);
        await forwarder.ForwardAsync(context, admission?.Form ?? form, context.Response.Body).ConfigureAwait(false);
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
            Fault.RequestLimitExceeded => ("text/xml", Ec2ErrorXml("RequestLimitExceeded", "Request limit exceeded.", requestId)),
            Fault.SlowDown => ("application/xml", $"""<?xml version="1.0" encoding="UTF-8"?><Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message><RequestId>{requestId}</RequestId></Error>"""),
            _ => ("text/plain", "Service Unavailable"),
        };
        await WriteAsync(context, StatusCodes.Status503ServiceUnavailable, contentType, body, requestId).ConfigureAwait(false);
    }

    private static Task AnswerAsync(HttpContext context, Ec2Error error)
    {
        var requestId = Guid.NewGuid().ToString();
        return WriteAsync(context, (int)error.Status, "text/xml", Ec2ErrorXml(error.Code, error.Message, requestId), requestId);
    }

    private static string Ec2ErrorXml(string code, string message, string requestId) =>
        $"""<?xml version="1.0" encoding="UTF-8"?><Response><Errors><Error><Code>{code}</Code><Message>{SecurityElement.Escape(message)}</Message></Error></Errors><RequestID>{requestId}</RequestID></Response>""";

    private static async Task WriteAsync(HttpContext context, int status, string contentType, string body, string requestId)
    {
        context.Response.StatusCode = status;
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
