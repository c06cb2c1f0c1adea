using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using System.Web;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AwsRunner.Sim.Faults;

/// <summary>
/// A reverse proxy on a free 127.0.0.1 port in front of moto that answers some requests with faults instead of
/// forwarding them, as its <see cref="IFaultPolicy"/> decides, and counts what it did. Given to awsrunner as
/// --endpoint-url, it sits on every EC2 and S3 call, the nodes' presigned uploads included (their URLs name it).
/// Forwarded requests go as they came (raw target, Host header, body), so their signatures stay valid.
/// </summary>
internal sealed partial class FaultProxy : IAsyncDisposable
{
    private static readonly HashSet<string> HopByHop = new(StringComparer.OrdinalIgnoreCase)
    {
        "Connection", "Keep-Alive", "Transfer-Encoding", "TE", "Upgrade", "Proxy-Connection", "Proxy-Authorization", "Expect", "Host",
    };

    private readonly WebApplication app;
    private readonly HttpClient http;
    private readonly Uri target;
    private readonly IFaultPolicy policy;

    private FaultProxy(WebApplication app, HttpClient http, Uri target, IFaultPolicy policy)
    {
        this.app = app;
        this.http = http;
        this.target = target;
        this.policy = policy;
    }

    public Uri Url { get; private set; } = null!;

    public FaultTally Tally { get; } = new();

    public static async Task<FaultProxy> StartAsync(Uri target, IFaultPolicy policy, CancellationToken cancellationToken)
    {
        if (!IPAddress.TryParse(target.Host, out var address) || !IPAddress.IsLoopback(address))
        {
            throw new ArgumentException($"the proxy forwards to 127.0.0.1 only, not {target.Host}", nameof(target));
        }

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(IPAddress.Loopback, 0);
            kestrel.Limits.MaxRequestBodySize = null;
        });
        var http = new HttpClient(new SocketsHttpHandler { UseProxy = false, AllowAutoRedirect = false, UseCookies = false })
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };
        var proxy = new FaultProxy(builder.Build(), http, target, policy);
        proxy.app.Run(proxy.HandleAsync);
        await proxy.app.StartAsync(cancellationToken).ConfigureAwait(false);
        var url = proxy.app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
        proxy.Url = new Uri(url.EndsWith('/') ? url : url + "/");
        return proxy;
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync().ConfigureAwait(false);
        await app.DisposeAsync().ConfigureAwait(false);
        http.Dispose();
    }

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var rawTarget = context.Features.GetRequiredFeature<IHttpRequestFeature>().RawTarget;
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
        await ForwardAsync(context, rawTarget, form).ConfigureAwait(false);
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

    private async Task ForwardAsync(HttpContext context, string rawTarget, string? form)
    {
        var request = context.Request;
        using var forward = new HttpRequestMessage(new HttpMethod(request.Method), new Uri(target, rawTarget));
        forward.Headers.Host = request.Host.Value;
        if (form is not null)
        {
            forward.Content = new StringContent(form);
        }
        else if (request.ContentLength > 0 || request.Headers.TransferEncoding.Count > 0)
        {
            forward.Content = new StreamContent(request.Body);
        }

        foreach (var (name, values) in request.Headers.Where(h => !HopByHop.Contains(h.Key)))
        {
            if (!forward.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values))
            {
                forward.Content?.Headers.Remove(name);
                forward.Content?.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values);
            }
        }

        using var answer = await http.SendAsync(forward, HttpCompletionOption.ResponseHeadersRead, context.RequestAborted).ConfigureAwait(false);
        context.Response.StatusCode = (int)answer.StatusCode;
        foreach (var (name, values) in answer.Headers.Concat(answer.Content.Headers).Where(h => !HopByHop.Contains(h.Key)))
        {
            context.Response.Headers[name] = values.ToArray();
        }

        await answer.Content.CopyToAsync(context.Response.Body, context.RequestAborted).ConfigureAwait(false);
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
