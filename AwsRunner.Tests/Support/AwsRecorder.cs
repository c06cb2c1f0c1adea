using System.Collections.Concurrent;
using System.Net;

namespace AwsRunner.Tests.Support;

/// <summary>
/// Sits under the AWS SDK clients: records every call (EC2 and STS actions by name, from the SDK's form bodies; S3 as
/// METHOD /path), and may answer a call itself with a canned AWS response, which the SDK then unmarshals as it would
/// AWS's own, instead of passing it on.
/// </summary>
internal sealed class AwsRecorder
{
    private readonly ConcurrentQueue<RecordedRequest> requests = new();

    /// <summary>Answers a call instead of the server when it returns a response.</summary>
    public Func<RecordedRequest, HttpResponseMessage?>? Answer { get; set; }

    /// <summary>When set, STS GetCallerIdentity is answered with this account before <see cref="Answer"/> is asked.</summary>
    public string? Account { get; set; }

    public IReadOnlyList<RecordedRequest> Requests => requests.ToList();

    public IReadOnlyList<RecordedRequest> Calls(string action) => Requests.Where(r => r.Action == action).ToList();

    public void Clear() => requests.Clear();

    public HttpMessageHandler CreateHandler() => new Handler(this);

    public static HttpResponseMessage Xml(HttpStatusCode status, string body) =>
        new(status) { Content = new StringContent(body, System.Text.Encoding.UTF8, "text/xml") };

    public static HttpResponseMessage Ec2Error(string code, string message, HttpStatusCode status = HttpStatusCode.BadRequest) => Xml(status,
        $"""<?xml version="1.0" encoding="UTF-8"?><Response><Errors><Error><Code>{code}</Code><Message>{WebUtility.HtmlEncode(message)}</Message></Error></Errors><RequestID>req-{code}</RequestID></Response>""");

    public static HttpResponseMessage CallerIdentity(string account) => Xml(HttpStatusCode.OK, $"""
        <GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult>
        <Arn>arn:aws:iam::{account}:user/ana</Arn><UserId>AIDAANA</UserId><Account>{account}</Account>
        </GetCallerIdentityResult><ResponseMetadata><RequestId>req-sts</RequestId></ResponseMetadata></GetCallerIdentityResponse>
        """);

    public static HttpResponseMessage S3Error(string code, string message, HttpStatusCode status) => Xml(status,
        $"""<?xml version="1.0" encoding="UTF-8"?><Error><Code>{code}</Code><Message>{WebUtility.HtmlEncode(message)}</Message><RequestId>req-{code}</RequestId><HostId>host</HostId></Error>""");

    private sealed class Handler(AwsRecorder recorder) : DelegatingHandler(new SocketsHttpHandler())
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var form = new Dictionary<string, string>(StringComparer.Ordinal);
            var isQuery = request.Content?.Headers.ContentType?.MediaType == "application/x-www-form-urlencoded";
            var body = request.Content is null ? "" : await request.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            if (isQuery)
            {
                foreach (var pair in body.Split('&', StringSplitOptions.RemoveEmptyEntries))
                {
                    var parts = pair.Split('=', 2);
                    form[Uri.UnescapeDataString(parts[0])] = Uri.UnescapeDataString(parts.Length > 1 ? parts[1] : "");
                }
            }

            var headers = request.Headers.ToDictionary(h => h.Key, h => string.Join(",", h.Value), StringComparer.OrdinalIgnoreCase);
            var action = isQuery && form.TryGetValue("Action", out var name) ? name : $"{request.Method} {request.RequestUri!.PathAndQuery}";
            var recorded = new RecordedRequest(action, form, headers, body);
            recorder.requests.Enqueue(recorded);
            var identity = action == "GetCallerIdentity" && recorder.Account is { } account ? CallerIdentity(account) : null;
            if ((identity ?? recorder.Answer?.Invoke(recorded)) is { } answer)
            {
                answer.RequestMessage = request;
                return answer;
            }

            if (!IPAddress.TryParse(request.RequestUri!.Host, out var address) || !IPAddress.IsLoopback(address))
            {
                throw new InvalidOperationException($"a test tried to reach {request.RequestUri.Host}: only 127.0.0.1 is allowed");
            }

            return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
    }
}
