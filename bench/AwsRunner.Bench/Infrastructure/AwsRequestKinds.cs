using System.Text.RegularExpressions;
using System.Web;

namespace AwsRunner.Bench.Infrastructure;

/// <summary>
/// Names a request as AWS would: the service from its SigV4 scope (header or presigned query), the operation from the
/// Query form's Action (EC2) or from S3's REST shape, path-style as both tools address moto.
/// </summary>
internal static partial class AwsRequestKinds
{
    public static AwsRequest Classify(string method, string rawTarget, string? authorization, string? copySource, string? formAction)
    {
        var queryStart = rawTarget.IndexOf('?', StringComparison.Ordinal);
        var path = queryStart < 0 ? rawTarget : rawTarget[..queryStart];
        var query = HttpUtility.ParseQueryString(queryStart < 0 ? "" : rawTarget[(queryStart + 1)..]);
        var scope = ScopePattern().Match(authorization ?? query["X-Amz-Credential"] ?? "");
        var service = scope.Success ? scope.Groups[1].Value : "unsigned";
        if (formAction is not null)
        {
            return new AwsRequest(service, formAction, method);
        }

        var onObject = path.TrimStart('/').Split('/', 2) is [_, { Length: > 0 }];
        return new AwsRequest(service, onObject ? ObjectOperation(method, query, copySource) : BucketOperation(method, query), method);
    }

    private static string ObjectOperation(string method, System.Collections.Specialized.NameValueCollection query, string? copySource) => method switch
    {
        "GET" => "GetObject",
        "HEAD" => "HeadObject",
        "PUT" when query["partNumber"] is not null => "UploadPart",
        "PUT" when copySource is not null => "CopyObject",
        "PUT" => "PutObject",
        "POST" when query.AllKeys.Contains("uploads") => "CreateMultipartUpload",
        "POST" when query["uploadId"] is not null => "CompleteMultipartUpload",
        "DELETE" => "DeleteObject",
        _ => $"{method} object",
    };

    private static string BucketOperation(string method, System.Collections.Specialized.NameValueCollection query)
    {
        // A subresource is a query key without a value (?delete, ?policy); S3's list parameters have values.
        var subresource = query.AllKeys.FirstOrDefault(k => k is not null && query[k] is "" or null) ?? query.GetValues(null)?.FirstOrDefault();
        return (method, subresource) switch
        {
            ("GET", null) => query["list-type"] == "2" ? "ListObjectsV2" : "ListObjects",
            ("HEAD", null) => "HeadBucket",
            ("PUT", null) => "CreateBucket",
            ("DELETE", null) => "DeleteBucket",
            ("POST", "delete") => "DeleteObjects",
            ("PUT", "publicAccessBlock") => "PutPublicAccessBlock",
            ("PUT", "policy") => "PutBucketPolicy",
            ("GET", "location") => "GetBucketLocation",
            _ => $"{method} bucket?{subresource}",
        };
    }

    // ".../20250101/us-east-1/s3/aws4_request", in an Authorization header or an X-Amz-Credential parameter.
    [GeneratedRegex(@"[^/\s,=]+/\d{8}/[^/]+/([a-z0-9-]+)/aws4_request")]
    private static partial Regex ScopePattern();
}
