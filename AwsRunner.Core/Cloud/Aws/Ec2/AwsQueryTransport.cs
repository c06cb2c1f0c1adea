using System.Net;
using System.Text;
using System.Xml;
using System.Xml.Linq;
using Amazon.Runtime;
using Amazon.Runtime.Internal;
using Amazon.Runtime.Internal.Auth;
using Amazon.Runtime.Internal.Util;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using ILogger = Microsoft.Extensions.Logging.ILogger;
using Polly;

namespace AwsRunner.Core.Cloud.Aws.Ec2;

/// <summary>
/// Sends Query-protocol calls (POST, form body) signed with AWSSDK.Core's <see cref="AWS4Signer"/>, each attempt
/// signed anew through the retry pipeline; returns the answer's XML root or throws <see cref="AwsApiException"/>.
/// </summary>
internal sealed partial class AwsQueryTransport(HttpClient http, QuerySigningConfig config, AWSCredentials credentials, ResiliencePipeline retry, ILogger? logger = null)
    : IDisposable
{
    private readonly ILogger log = logger ?? NullLogger.Instance;
    private readonly AWS4Signer signer = new();

    public Uri Endpoint { get; } = new(config.ServiceURL);

    public Task<XElement> SendAsync(QueryForm form, CancellationToken cancellationToken) =>
        retry.ExecuteAsync(async token => await SendOnceAsync(form, token).ConfigureAwait(false), cancellationToken).AsTask();

    public void Dispose() => http.Dispose();

    private async Task<XElement> SendOnceAsync(QueryForm form, CancellationToken cancellationToken)
    {
        var body = Encoding.UTF8.GetBytes(form.Encode());
        // Resolving here lets refreshable credentials (SSO, roles) refresh without blocking the signer.
        await credentials.GetCredentialsAsync().ConfigureAwait(false);
        var signed = new DefaultRequest(new QueryRequest(), config.AuthenticationServiceName)
        {
            HttpMethod = "POST",
            Endpoint = Endpoint,
            ResourcePath = "/",
            Content = body,
        };
        signed.Headers["Content-Type"] = "application/x-www-form-urlencoded; charset=utf-8";
        signer.Sign(signed, config, new RequestMetrics(), credentials);

        using var message = new HttpRequestMessage(HttpMethod.Post, Endpoint) { Content = new ByteArrayContent(body) };
        foreach (var (name, value) in signed.Headers)
        {
            if (name.Equals("Content-Type", StringComparison.OrdinalIgnoreCase))
            {
                message.Content.Headers.TryAddWithoutValidation(name, value);
            }
            else if (!name.Equals("Host", StringComparison.OrdinalIgnoreCase))
            {
                message.Headers.TryAddWithoutValidation(name, value);
            }
        }

        var started = Environment.TickCount64;
        using var response = await http.SendAsync(message, cancellationToken).ConfigureAwait(false);
        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        var root = Parse(text);
        LogCall(log, config.AuthenticationServiceName, form.Action, (int)response.StatusCode, Environment.TickCount64 - started);
        if (!response.IsSuccessStatusCode)
        {
            throw Error(form.Action, response.StatusCode, root, text);
        }

        return root ?? throw new AwsApiException(form.Action, response.StatusCode, "MalformedResponse",
            "the answer is not XML: " + Shorten(text), null);
    }

    private static XElement? Parse(string text)
    {
        try
        {
            return XDocument.Parse(text).Root;
        }
        catch (XmlException)
        {
            return null;
        }
    }

    // EC2 answers <Response><Errors><Error>..</Error></Errors><RequestID/>; other Query APIs <ErrorResponse> with <RequestId/>.
    private static AwsApiException Error(string action, HttpStatusCode status, XElement? root, string text)
    {
        var error = root?.Descendants().FirstOrDefault(e => e.Name.LocalName == "Error");
        var code = error?.Elements().FirstOrDefault(e => e.Name.LocalName == "Code")?.Value;
        var message = error?.Elements().FirstOrDefault(e => e.Name.LocalName == "Message")?.Value;
        var requestId = root?.Descendants().FirstOrDefault(e => e.Name.LocalName is "RequestID" or "RequestId")?.Value;
        return new AwsApiException(
            action,
            status,
            string.IsNullOrEmpty(code) ? $"Http{(int)status}" : code,
            string.IsNullOrEmpty(message) ? $"HTTP {(int)status} {status}: {Shorten(text)}" : message,
            requestId);
    }

    private static string Shorten(string text) => text.Length <= 200 ? text.Trim() : text[..200].Trim() + "...";

    // The form is not logged: it may carry key material (ImportKeyPair) or user data.
    [LoggerMessage(Level = LogLevel.Debug, Message = "{Service} {Action}: HTTP {Status} in {Milliseconds} ms")]
    private static partial void LogCall(ILogger logger, string service, string action, int status, long milliseconds);

    private sealed class QueryRequest : AmazonWebServiceRequest;
}
