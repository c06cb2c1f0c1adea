using System.Net;
using System.Web;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AwsRunner.Bench.Infrastructure;

/// <summary>
/// A reverse proxy on a free 127.0.0.1 port in front of moto that counts every request by service, operation and
/// method. It forwards the request as it came (raw target, Host header, body), so signatures stay valid, and streams
/// bodies both ways.
/// </summary>
internal sealed class CountingProxy : IAsyncDisposable
{
    private static readonly HashSet<string> HopByHop = new(StringComparer.OrdinalIgnoreCase)
    {
        "Connection", "Keep-Alive", "Transfer-Encoding", "TE", "Upgrade", "Proxy-Connection", "Proxy-Authorization", "Expect", "Host",
    };

    private readonly WebApplication app;
    private readonly HttpClient http;
    private readonly Uri target;

    private CountingProxy(WebApplication app, HttpClient http, Uri target)
    {
        this.app = app;
        this.http = http;
        this.target = target;
    }

    public Uri Url { get; private set; } = null!;

    public RequestTally Tally { get; } = new();

    public static async Task<CountingProxy> StartAsync(Uri target, CancellationToken cancellationToken)
    {
        if (!IPAddress.IsLoopback(IPAddress.Parse(target.Host)))
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
        var proxy = new CountingProxy(builder.Build(), http, target);
        proxy.app.Run(proxy.CountAndForwardAsync);
        await proxy.app.StartAsync(cancellationToken);
        var address = proxy.app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
        proxy.Url = new Uri(address.EndsWith('/') ? address : address + "/");
        return proxy;
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
        http.Dispose();
    }

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
        var counted = new CountingStream(context.Response.Body);
        try
        {
            await ForwardAsync(context, rawTarget, form, counted);
        }
        finally
        {
            Tally.Answered(kind, counted.Written);
        }
    }

    private async Task ForwardAsync(HttpContext context, string rawTarget, string? form, CountingStream answerBody)
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

        using var answer = await http.SendAsync(forward, HttpCompletionOption.ResponseHeadersRead, context.RequestAborted);
        context.Response.StatusCode = (int)answer.StatusCode;
        foreach (var (name, values) in answer.Headers.Concat(answer.Content.Headers).Where(h => !HopByHop.Contains(h.Key)))
        {
            context.Response.Headers[name] = values.ToArray();
        }

        await answer.Content.CopyToAsync(answerBody, context.RequestAborted);
    }
}
