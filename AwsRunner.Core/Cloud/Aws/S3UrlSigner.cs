using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Amazon.Runtime;

namespace AwsRunner.Core.Cloud.Aws;

/// <summary>
/// S3 presigned URLs (AWS Signature Version 4 in the query string), signed here instead of by AWSSDK.S3's
/// GetPreSignedURL for two reasons: the SDK takes over 100 µs of CPU a URL here, this 3-5 µs (bench/run's queue
/// measurement; a queue of 10,000 rows has 180,000 URLs), and it cannot presign a ListObjectsV2 (it renames every query
/// parameter it is given to <c>x-...</c>). The endpoint (scheme, host, path or virtual-host style) and the credential
/// scope are those of a URL the SDK signed (<see cref="FromSdkUrl"/>), so these are the URLs the SDK would make: the
/// tests find the same path, query parameters and signature as the SDK's, and botocore's for a listing. Every
/// URL names the bucket's expected owner in its signed query, as <see cref="S3ResultStore"/>'s do.
/// </summary>
internal sealed class S3UrlSigner : IUrlSigner
{
    /// <summary>The most keys a ListObjectsV2 page holds.</summary>
    public const int PageKeys = 1000;

    /// <summary>SigV4 presigned URLs work at most seven days; the SDK falls back to SigV2 past it, which drops signed headers.</summary>
    public static readonly TimeSpan Longest = CredentialLifetime.PresignedMaximum;

    private const string Algorithm = "AWS4-HMAC-SHA256";
    private const string Service = "s3";
    private const string UnsignedPayload = "UNSIGNED-PAYLOAD";
    private const string HostOnly = "host";

    // The claim's two headers and host, sorted as SigV4 wants them (lower-case names).
    private static readonly string ClaimHeaders = string.Join(';', new[] { ClaimRequest.ContentTypeHeader, "host", ClaimRequest.IfNoneMatchHeader }
        .Select(h => h.ToLowerInvariant()).Order(StringComparer.Ordinal));

    private readonly string origin;
    private readonly string bucketPath;
    private readonly string hostHeader;
    private readonly string amzDate;
    private readonly string scope;
    private readonly byte[] signingKey;
    private readonly (string Name, string Value)[] common;

    // An object's URL differs from another's by its path alone: its query is written once.
    private readonly string objectQuery;
    private readonly string claimQuery;

    /// <param name="bucketUrl">The bucket's address as the SDK writes it, ending with <c>/</c> (<c>http://127.0.0.1:5000/sweep1/</c>).</param>
    /// <param name="region">The region of the signature's scope.</param>
    /// <param name="credentials">The credentials to sign with (their session token goes into every URL).</param>
    /// <param name="owner">The bucket's expected owner, the caller's account.</param>
    /// <param name="signedAt">The signature's time, from which the URLs work.</param>
    /// <param name="validity">How long they work, at most <see cref="Longest"/>.</param>
    public S3UrlSigner(Uri bucketUrl, string region, ImmutableCredentials credentials, string owner, DateTimeOffset signedAt, TimeSpan validity)
    {
        if (validity <= TimeSpan.Zero || validity > Longest)
        {
            throw new ArgumentOutOfRangeException(nameof(validity), validity, $"a presigned URL works for more than no time and at most {Longest.TotalDays:0} days");
        }

        if (!bucketUrl.AbsolutePath.EndsWith('/'))
        {
            throw new ArgumentException($"{bucketUrl}: a bucket's address ends with /", nameof(bucketUrl));
        }

        origin = bucketUrl.GetLeftPart(UriPartial.Authority);
        bucketPath = bucketUrl.AbsolutePath;
        // Uri.Authority leaves out a scheme's default port, as the SDK's host header does.
        hostHeader = "host:" + bucketUrl.Authority + "\n";
        var utc = signedAt.UtcDateTime;
        amzDate = utc.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        var date = utc.ToString("yyyyMMdd", CultureInfo.InvariantCulture);
        scope = $"{date}/{region}/{Service}/aws4_request";
        signingKey = Hmac(Hmac(Hmac(Hmac(Encoding.UTF8.GetBytes("AWS4" + credentials.SecretKey), date), region), Service), "aws4_request");
        var expires = (long)Math.Ceiling(validity.TotalSeconds);
        common =
        [
            ("X-Amz-Algorithm", Algorithm),
            ("X-Amz-Credential", Encode(credentials.AccessKey + "/" + scope)),
            ("X-Amz-Date", amzDate),
            ("X-Amz-Expires", expires.ToString(CultureInfo.InvariantCulture)),
            .. credentials.UseToken ? new[] { ("X-Amz-Security-Token", Encode(credentials.Token)) } : [],
            (S3ResultStore.ExpectedOwnerParameter, Encode(owner)),
        ];
        objectQuery = Query([], HostOnly);
        claimQuery = Query([], ClaimHeaders);
    }

    public int? ListPageKeys => PageKeys;

    /// <summary>
    /// A signer for the bucket of <paramref name="sdkUrl"/>, a URL AWSSDK.S3 presigned for the object
    /// <paramref name="sdkKey"/> of that bucket: its address, less the key, is the bucket's, and its credential scope
    /// names the region.
    /// </summary>
    public static S3UrlSigner FromSdkUrl(Uri sdkUrl, string sdkKey, ImmutableCredentials credentials, string owner, DateTimeOffset signedAt, TimeSpan validity)
    {
        var path = sdkUrl.AbsolutePath;
        var encodedKey = EncodePath(sdkKey);
        if (!path.EndsWith("/" + encodedKey, StringComparison.Ordinal))
        {
            throw new ArgumentException($"{sdkUrl}: not a URL of the key {sdkKey}", nameof(sdkUrl));
        }

        var bucketUrl = new Uri(sdkUrl.GetLeftPart(UriPartial.Authority) + path[..^encodedKey.Length]);
        var credential = Uri.UnescapeDataString(QueryValue(sdkUrl, "X-Amz-Credential")
            ?? throw new ArgumentException($"{sdkUrl}: no X-Amz-Credential, not a SigV4 URL", nameof(sdkUrl)));
        // AKID/DATE/REGION/SERVICE/aws4_request
        var region = credential.Split('/')[^3];
        return new S3UrlSigner(bucketUrl, region, credentials, owner, signedAt, validity);
    }

    public Uri ReadUrl(string key) => Sign("GET", bucketPath + EncodePath(key), objectQuery, HostOnly, hostHeader);

    public Uri WriteUrl(string key) => Sign("PUT", bucketPath + EncodePath(key), objectQuery, HostOnly, hostHeader);

    public Uri ClaimUrl(string key) => Sign("PUT", bucketPath + EncodePath(key), claimQuery, ClaimHeaders,
        $"{ClaimRequest.ContentTypeHeader.ToLowerInvariant()}:{ClaimRequest.ContentType}\n{hostHeader}{ClaimRequest.IfNoneMatchHeader.ToLowerInvariant()}:{ClaimRequest.IfNoneMatch}\n");

    public Uri ListUrl(string prefix, string? startAfter) => Sign("GET", bucketPath, Query(
    [
        ("list-type", "2"),
        ("max-keys", PageKeys.ToString(CultureInfo.InvariantCulture)),
        ("prefix", Encode(prefix)),
        .. startAfter is null ? [] : new[] { ("start-after", Encode(startAfter)) },
    ], HostOnly), HostOnly, hostHeader);

    /// <summary>The canonical query: SigV4 sorts the encoded names by their bytes (upper case first), then the values; the URL keeps that order.</summary>
    private string Query((string Name, string Value)[] parameters, string signedHeaders)
    {
        var pairs = new List<(string Name, string Value)>(common.Length + parameters.Length + 1);
        pairs.AddRange(common);
        pairs.AddRange(parameters);
        pairs.Add(("X-Amz-SignedHeaders", Encode(signedHeaders)));
        pairs.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name) is var byName and not 0 ? byName : string.CompareOrdinal(a.Value, b.Value));
        return string.Join('&', pairs.Select(p => p.Name + "=" + p.Value));
    }

    private Uri Sign(string verb, string path, string query, string signedHeaders, string canonicalHeaders)
    {
        var canonical = $"{verb}\n{path}\n{query}\n{canonicalHeaders}\n{signedHeaders}\n{UnsignedPayload}";
        var toSign = $"{Algorithm}\n{amzDate}\n{scope}\n{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)))}";
        var signature = Convert.ToHexStringLower(HMACSHA256.HashData(signingKey, Encoding.UTF8.GetBytes(toSign)));
        return new Uri($"{origin}{path}?{query}&X-Amz-Signature={signature}");
    }

    private static byte[] Hmac(byte[] key, string data) => HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(data));

    private static string? QueryValue(Uri url, string name) =>
        url.Query.TrimStart('?').Split('&').Select(p => p.Split('=', 2)).FirstOrDefault(p => p[0] == name) is { Length: 2 } pair ? pair[1] : null;

    /// <summary>An object key in a path: every byte but the unreserved ones and <c>/</c> percent-encoded (S3 does not encode twice).</summary>
    private static string EncodePath(string key) => Encode(key, keepSlash: true);

    /// <summary>RFC 3986 encoding as SigV4 asks: A-Z a-z 0-9 - _ . ~ as they are, every other UTF-8 byte as %XX.</summary>
    private static string Encode(string text, bool keepSlash = false)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        var encoded = new StringBuilder(bytes.Length + 8);
        foreach (var b in bytes)
        {
            if (char.IsAsciiLetterOrDigit((char)b) || b is (byte)'-' or (byte)'_' or (byte)'.' or (byte)'~' || (keepSlash && b == (byte)'/'))
            {
                encoded.Append((char)b);
            }
            else
            {
                encoded.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
            }
        }

        return encoded.ToString();
    }
}
