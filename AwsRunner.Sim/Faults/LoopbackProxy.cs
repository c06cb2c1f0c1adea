using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Net.Http.Headers;

namespace AwsRunner.Sim.Faults;

/// <summary>
/// A reverse proxy on a free 127.0.0.1 port in front of a server on 127.0.0.1 (moto), for proxies that look at each
/// request first: the fault proxy here, the benchmarks' counting proxy. A request is forwarded as it came (raw target,
/// Host header, body), so its signature stays valid, and bodies stream both ways.
/// </summary>
internal sealed class LoopbackProxy : IAsyncDisposable
{
    private static readonly HashSet<string> HopByHop = new(StringComparer.OrdinalIgnoreCase)
    {
        "Connection", "Keep-Alive", "Transfer-Encoding", "TE", "Upgrade", "Proxy-Connection", "Proxy-Authorization", "Expect", "Host",
    };

    private readonly WebApplication app;
    private readonly HttpClient http;
    private readonly Uri target;

    private LoopbackProxy(WebApplication app, HttpClient http, Uri target)
    {
        this.app = app;
        this.http = http;
        this.target = target;
    }

    /// <summary>Where the proxy listens.</summary>
    public Uri Url { get; private set; } = null!;

    /// <summary>Starts listening; <paramref name="handle"/> gets every request, and forwards it or answers it.</summary>
    public static async Task<LoopbackProxy> StartAsync(Uri target, RequestDelegate handle, CancellationToken cancellationToken)
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
        var proxy = new LoopbackProxy(builder.Build(), http, target);
        proxy.app.Run(handle);
        await proxy.app.StartAsync(cancellationToken).ConfigureAwait(false);
        var url = proxy.app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
        proxy.Url = new Uri(url.EndsWith('/') ? url : url + "/");
        return proxy;
    }

    /// <summary>
    /// Forwards the request and writes the answer into <paramref name="responseBody"/> (the response's own body, or a
    /// stream over it). <paramref name="form"/> is the body when the caller has read it already (and may have changed it).
    /// </summary>
    public async Task ForwardAsync(HttpContext context, string? form, Stream responseBody)
    {
        var request = context.Request;
        var rawTarget = context.Features.GetRequiredFeature<IHttpRequestFeature>().RawTarget;
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

        // A form the caller read may have been rewritten: its length is the new content's own.
        foreach (var (name, values) in request.Headers.Where(h => !HopByHop.Contains(h.Key) && !(form is not null && string.Equals(h.Key, HeaderNames.ContentLength, StringComparison.OrdinalIgnoreCase))))
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

        await answer.Content.CopyToAsync(responseBody, context.RequestAborted).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync().ConfigureAwait(false);
        await app.DisposeAsync().ConfigureAwait(false);
        http.Dispose();
    }
}
