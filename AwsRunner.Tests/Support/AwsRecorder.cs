using System.Collections.Concurrent;
using System.Net;

namespace AwsRunner.Tests.Support;

/// <summary>
/// Sits under the AWS clients: records every call (EC2 Query actions by name, S3 as METHOD /path), and may answer
/// a call itself with a canned AWS response instead of passing it on.
/// </summary>
internal sealed class AwsRecorder
{
    private readonly ConcurrentQueue<RecordedRequest> requests = new();

    /// <summary>Answers a call instead of the server when it returns a response.</summary>
    public Func<RecordedRequest, HttpResponseMessage?>? Answer { get; set; }

    public IReadOnlyList<RecordedRequest> Requests => requests.ToList();

    public IReadOnlyList<RecordedRequest> Calls(string action) => Requests.Where(r => r.Action == action).ToList();

    public void Clear() => requests.Clear();

    public HttpMessageHandler CreateHandler() => new Handler(this);

    public static HttpResponseMessage Xml(HttpStatusCode status, string body) =>
        new(status) { Content = new StringContent(body, System.Text.Encoding.UTF8, "text/xml") };

    public static HttpResponseMessage Ec2Error(string code, string message, HttpStatusCode status = HttpStatusCode.BadRequest) => Xml(status,
        $"""<?xml version="1.0" encoding="UTF-8"?><Response><Errors><Error><Code>{code}</Code><Message>{WebUtility.HtmlEncode(message)}</Message></Error></Errors><RequestID>req-{code}</RequestID></Response>""");

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
            if (recorder.Answer?.Invoke(recorded) is { } answer)
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
