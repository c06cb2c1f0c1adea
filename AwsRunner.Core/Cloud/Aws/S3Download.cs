using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Security.Cryptography;
using System.Xml;
using System.Xml.Linq;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Amazon.Util;

namespace AwsRunner.Core.Cloud.Aws;

/// <summary>
/// Downloads an object through a presigned GET on awsrunner's own HTTP client. The SDK's GetObject checks every byte
/// with a managed MD5 that made fetching large results CPU-bound (docs/benchmarks.md); the same check is made here
/// with the system's MD5, where the SDK would make it. Errors come out as the SDK's <see cref="AmazonS3Exception"/>,
/// so retries and messages are those of every other S3 call.
/// </summary>
internal sealed class S3Download(IAmazonS3 s3, HttpClient http, Protocol protocol)
{
    // A presigned URL only has to be valid when the download starts.
    private static readonly TimeSpan UrlValidity = TimeSpan.FromMinutes(15);

    /// <summary>Downloads the object, if <paramref name="owner"/> owns its bucket.</summary>
    public async Task ToFileAsync(string bucket, string key, string owner, string path, CancellationToken cancellationToken)
    {
        var request = new GetPreSignedUrlRequest
        {
            BucketName = bucket,
            Key = key,
            Verb = HttpVerb.GET,
            // The signer dates the URL by the SDK's clock, so the expiry counts from that clock too.
            Expires = AWSSDKUtils.CorrectedUtcNow + UrlValidity,
            Protocol = protocol,
        };
        request.Parameters.Add(S3ResultStore.ExpectedOwnerParameter, owner);
        var url = await s3.GetPreSignedURLAsync(request).ConfigureAwait(false);
        using var response = await http.GetAsync(new Uri(url), HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw await ErrorAsync(response, cancellationToken).ConfigureAwait(false);
        }

        using var md5 = ContentMd5(response) is { } expected ? new ContentHash(expected) : null;
        var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        var file = File.Create(path);
        await using (body.ConfigureAwait(false))
        await using (file.ConfigureAwait(false))
        {
            var buffer = new byte[1 << 17];
            int read;
            while ((read = await body.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
            {
                md5?.Append(buffer.AsSpan(0, read));
                await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
            }
        }

        if (md5 is not null && !md5.Matches())
        {
            // Retried like a broken connection: the next attempt downloads it again.
            throw new HttpRequestException($"s3://{bucket}/{key} arrived damaged: its MD5 is not its ETag");
        }
    }

    /// <summary>The content's MD5 when the ETag is one; with KMS or customer keys it is not, whatever it looks like (as the SDK decides).</summary>
    private static string? ContentMd5(HttpResponseMessage response)
    {
        var encrypted = response.Headers.Contains("x-amz-server-side-encryption-customer-algorithm")
            || response.Headers.Contains("x-amz-server-side-encryption-aws-kms-key-id");
        return encrypted ? null : S3ETag.ContentMd5(response.Headers.ETag?.Tag);
    }

    private static async Task<AmazonS3Exception> ErrorAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        XElement? error = null;
        try
        {
            error = text.Length == 0 ? null : XDocument.Parse(text).Root;
        }
        catch (XmlException)
        {
            // Not S3's XML (a proxy's page, say): the status speaks alone.
        }

        string? Field(string name) => error?.Elements().FirstOrDefault(e => e.Name.LocalName == name)?.Value;
        var status = response.StatusCode;
        return new AmazonS3Exception(
            Field("Message") ?? $"HTTP {(int)status} {response.ReasonPhrase}",
            (int)status >= 500 ? ErrorType.Receiver : ErrorType.Sender,
            Field("Code") ?? (status == HttpStatusCode.NotFound ? "NoSuchKey" : $"Http{(int)status}"),
            Field("RequestId"),
            status);
    }

    [SuppressMessage("Security", "CA5351:Do Not Use Broken Cryptographic Algorithms", Justification = "S3's ETag is an MD5; this checks a transfer, it protects nothing.")]
    private sealed class ContentHash(string expected) : IDisposable
    {
        private readonly IncrementalHash hash = IncrementalHash.CreateHash(HashAlgorithmName.MD5);

        public void Append(ReadOnlySpan<byte> data) => hash.AppendData(data);

        public bool Matches() => Convert.ToHexStringLower(hash.GetHashAndReset()) == expected;

        public void Dispose() => hash.Dispose();
    }
}
