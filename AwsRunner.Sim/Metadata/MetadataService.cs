using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AwsRunner.Sim.Metadata;

/// <summary>
/// The instance metadata service of every node, IMDSv2 as EC2 serves it, on a free 127.0.0.1 port (never
/// 169.254.169.254): a node's base URL is <c>http://127.0.0.1:PORT/INSTANCE_ID</c>, under which
/// <c>PUT /latest/api/token</c> (with <see cref="TtlHeader"/>) gives a token and every <c>GET /latest/meta-data/...</c>
/// needs one in <see cref="TokenHeader"/> (401 without a valid one). It serves instance-id, instance-type, ami-id and
/// spot/instance-action (404 until the instance has an interruption notice).
/// </summary>
internal sealed class MetadataService : IAsyncDisposable
{
    public const string TokenHeader = "X-aws-ec2-metadata-token";
    public const string TtlHeader = "X-aws-ec2-metadata-token-ttl-seconds";

    /// <summary>EC2's longest token: six hours.</summary>
    private const int MaxTtlSeconds = 21600;

    private const string TokenPath = "latest/api/token";
    private const string MetadataPath = "latest/meta-data/";

    private readonly WebApplication app;
    private readonly TimeProvider time;
    private readonly ConcurrentDictionary<string, InstanceMetadata> instances = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, (string InstanceId, DateTimeOffset Expires)> tokens = new(StringComparer.Ordinal);

    private MetadataService(WebApplication app, TimeProvider time)
    {
        this.app = app;
        this.time = time;
    }

    /// <summary>Where the service listens; a node's base URL is this and its instance id.</summary>
    public Uri Url { get; private set; } = null!;

    public static async Task<MetadataService> StartAsync(TimeProvider time, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        var service = new MetadataService(builder.Build(), time);
        service.app.Run(service.HandleAsync);
        await service.app.StartAsync(cancellationToken).ConfigureAwait(false);
        var url = service.app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
        service.Url = new Uri(url.EndsWith('/') ? url : url + "/");
        return service;
    }

    /// <summary>The base URL of one instance's metadata, as its node's processes are given it (no trailing slash).</summary>
    public string BaseUrl(string instanceId) => new Uri(Url, instanceId).ToString();

    public void Serve(InstanceMetadata metadata) => instances[metadata.InstanceId] = metadata;

    /// <summary>Stops serving an instance, and forgets its tokens.</summary>
    public void Remove(string instanceId)
    {
        instances.TryRemove(instanceId, out _);
        foreach (var (token, owner) in tokens)
        {
            if (owner.InstanceId == instanceId)
            {
                tokens.TryRemove(token, out _);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync().ConfigureAwait(false);
        await app.DisposeAsync().ConfigureAwait(false);
    }

    private async Task HandleAsync(HttpContext context)
    {
        var path = (context.Request.Path.Value ?? "").TrimStart('/');
        var slash = path.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0 || !instances.TryGetValue(path[..slash], out var instance))
        {
            await AnswerAsync(context, StatusCodes.Status404NotFound, "Not Found").ConfigureAwait(false);
            return;
        }

        var rest = path[(slash + 1)..];
        if (rest == TokenPath)
        {
            await IssueTokenAsync(context, instance.InstanceId).ConfigureAwait(false);
        }
        else if (rest.StartsWith(MetadataPath, StringComparison.Ordinal))
        {
            await ServeAsync(context, instance, rest[MetadataPath.Length..]).ConfigureAwait(false);
        }
        else
        {
            await AnswerAsync(context, StatusCodes.Status404NotFound, "Not Found").ConfigureAwait(false);
        }
    }

    private async Task IssueTokenAsync(HttpContext context, string instanceId)
    {
        if (!HttpMethods.IsPut(context.Request.Method))
        {
            await AnswerAsync(context, StatusCodes.Status405MethodNotAllowed, "Method Not Allowed").ConfigureAwait(false);
            return;
        }

        if (!int.TryParse(context.Request.Headers[TtlHeader], CultureInfo.InvariantCulture, out var ttl) || ttl is < 1 or > MaxTtlSeconds)
        {
            await AnswerAsync(context, StatusCodes.Status400BadRequest, "Bad Request").ConfigureAwait(false);
            return;
        }

        var now = time.GetUtcNow();
        // A node that asks for a token at every look would otherwise pile them up.
        foreach (var (expired, _) in tokens.Where(t => t.Value.Expires <= now))
        {
            tokens.TryRemove(expired, out _);
        }

        var token = Convert.ToBase64String(RandomNumberGenerator.GetBytes(42));
        tokens[token] = (instanceId, now.AddSeconds(ttl));
        context.Response.Headers[TtlHeader] = ttl.ToString(CultureInfo.InvariantCulture);
        await AnswerAsync(context, StatusCodes.Status200OK, token).ConfigureAwait(false);
    }

    private async Task ServeAsync(HttpContext context, InstanceMetadata instance, string key)
    {
        if (!HttpMethods.IsGet(context.Request.Method) && !HttpMethods.IsHead(context.Request.Method))
        {
            await AnswerAsync(context, StatusCodes.Status405MethodNotAllowed, "Method Not Allowed").ConfigureAwait(false);
            return;
        }

        // IMDSv2 only, as HttpTokens=required makes it: no valid token of this instance, no answer.
        var now = time.GetUtcNow();
        if (!tokens.TryGetValue(context.Request.Headers[TokenHeader].ToString(), out var owner) || owner.InstanceId != instance.InstanceId || owner.Expires <= now)
        {
            await AnswerAsync(context, StatusCodes.Status401Unauthorized, "Unauthorized").ConfigureAwait(false);
            return;
        }

        var value = key switch
        {
            "instance-id" => instance.InstanceId,
            "instance-type" => instance.InstanceType,
            "ami-id" => instance.ImageId,
            "spot/instance-action" when instance.Interruption is { } interruption && interruption.Noticed(now) => JsonSerializer.Serialize(new
            {
                action = "terminate",
                time = interruption.TerminateAt.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
            }),
            _ => null,
        };
        await (value is null
            ? AnswerAsync(context, StatusCodes.Status404NotFound, "Not Found")
            : AnswerAsync(context, StatusCodes.Status200OK, value)).ConfigureAwait(false);
    }

    private static async Task AnswerAsync(HttpContext context, int status, string body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/plain";
        if (!HttpMethods.IsHead(context.Request.Method))
        {
            await context.Response.WriteAsync(body, context.RequestAborted).ConfigureAwait(false);
        }
    }
}
