using System.Text.Json;
using Amazon.S3.Model;

namespace AwsRunner.Core.Cloud.Aws;

/// <summary>
/// What a results bucket must have before awsrunner puts results in it: every kind of public access blocked, and
/// (over TLS endpoints, as AWS's always are) a policy refusing plain HTTP. A bucket awsrunner creates gets both; an
/// existing one is checked for them.
/// </summary>
internal static class BucketProtection
{
    public const string DenyInsecureTransport = "DenyInsecureTransport";

    public static bool BlocksPublicAccess(PublicAccessBlockConfiguration? block) =>
        block is { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true };

    /// <summary>Whether the policy denies everyone every request that is not over TLS.</summary>
    public static bool RefusesPlainHttp(string? policy)
    {
        if (string.IsNullOrWhiteSpace(policy))
        {
            return false;
        }

        try
        {
            using var document = JsonDocument.Parse(policy);
            if (!document.RootElement.TryGetProperty("Statement", out var statements))
            {
                return false;
            }

            var all = statements.ValueKind == JsonValueKind.Array ? statements.EnumerateArray().ToList() : [statements];
            return all.Any(s => Text(s, "Effect") == "Deny" && Everyone(s) && InsecureTransport(s));
        }
        catch (JsonException)
        {
            return false;
        }
    }

    public static string TlsOnlyPolicy(string partition, string bucket) => $$"""
        {
          "Version": "2012-10-17",
          "Statement": [
            {
              "Sid": "{{DenyInsecureTransport}}",
              "Effect": "Deny",
              "Principal": "*",
              "Action": "s3:*",
              "Resource": ["arn:{{partition}}:s3:::{{bucket}}", "arn:{{partition}}:s3:::{{bucket}}/*"],
              "Condition": { "Bool": { "aws:SecureTransport": "false" } }
            }
          ]
        }
        """;

    /// <summary>The commands that give an existing bucket what it lacks.</summary>
    public static string Fix(string bucket, bool publicAccess, bool plainHttp) => string.Join("; ", new[]
    {
        publicAccess
            ? $"aws s3api put-public-access-block --bucket {bucket} --public-access-block-configuration " +
              "BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=true"
            : null,
        plainHttp
            ? $"aws s3api put-bucket-policy --bucket {bucket} --policy with a statement denying \"s3:*\" to \"*\" when \"aws:SecureTransport\" is \"false\""
            : null,
    }.OfType<string>());

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static bool Everyone(JsonElement statement) =>
        statement.TryGetProperty("Principal", out var principal)
        && (principal.ValueKind == JsonValueKind.String ? principal.GetString() == "*" : principal.TryGetProperty("AWS", out var aws) && IsOrHas(aws, "*"));

    private static bool InsecureTransport(JsonElement statement) =>
        statement.TryGetProperty("Condition", out var condition)
        && condition.TryGetProperty("Bool", out var test)
        && test.TryGetProperty("aws:SecureTransport", out var secure)
        && IsOrHas(secure, "false");

    private static bool IsOrHas(JsonElement value, string wanted) => value.ValueKind switch
    {
        JsonValueKind.String => string.Equals(value.GetString(), wanted, StringComparison.OrdinalIgnoreCase),
        JsonValueKind.False => wanted == "false",
        JsonValueKind.Array => value.EnumerateArray().Any(v => IsOrHas(v, wanted)),
        _ => false,
    };
}
