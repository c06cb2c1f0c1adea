using System.Net;
using Microsoft.Extensions.Logging;

namespace AwsRunner.Core.Cloud.Aws;

/// <summary>Asks AWS's checkip service for this machine's public address (what the AWS console's "My IP" does).</summary>
internal sealed partial class CheckIpLookup(HttpClient http, ILogger<CheckIpLookup> logger) : IPublicAddressLookup
{
    private static readonly Uri Service = new("https://checkip.amazonaws.com/");

    /// <summary>One client for the process: the lookup is made at most once per run.</summary>
    public static HttpClient SharedHttp { get; } = new();

    public async Task<IPAddress?> FindAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(10));
            var text = await http.GetStringAsync(Service, timeout.Token).ConfigureAwait(false);
            return IPAddress.TryParse(text.Trim(), out var address) ? address : null;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            LogLookupFailed(logger, e.Message);
            return null;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not find this machine's public address: {Reason}")]
    private static partial void LogLookupFailed(ILogger logger, string reason);
}
