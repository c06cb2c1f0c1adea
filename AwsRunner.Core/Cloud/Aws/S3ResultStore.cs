using System.Net;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Microsoft.Extensions.Logging;
using Polly;

namespace AwsRunner.Core.Cloud.Aws;

/// <summary>
/// The results bucket on S3. Nodes get presigned PUT URLs and never a credential. A bucket awsrunner creates is in
/// the batch's region, blocks every kind of public access and (on an https endpoint, as AWS's always is) refuses
/// requests that are not over TLS; an existing one is used only when it has both (<see cref="BucketSetup"/>).
/// Every call names the caller's account as the bucket's expected owner, so that a bucket of another account (one
/// whose name was taken over, say) is refused by S3 itself instead of receiving results.
/// </summary>
internal sealed partial class S3ResultStore(
    IAmazonS3 s3,
    ServerClock serverClock,
    HttpClient http,
    AwsSession session,
    CallerAccount account,
    CredentialLifetime credentials,
    AwsBoundary boundary,
    ResiliencePipeline retry,
    AwsTuning tuning,
    TimeProvider time,
    ILogger<S3ResultStore> logger) : IResultStore, IDisposable
{
    /// <summary>
    /// The owner condition on a presigned URL. S3 enforces it on a presigned request only as a signed header (which the
    /// node's plain curl would have to send) or as this lower-case query parameter, which the signature covers: so the
    /// nodes' URLs carry it in their query, and a node needs nothing but the URL.
    /// </summary>
    public const string ExpectedOwnerParameter = "x-amz-expected-bucket-owner";

    // Any key does: only the bucket's address is taken from the URL the SDK signs for it.
    private const string SignerModelKey = "_awsrunner/url";

    private readonly S3Download download = new(s3, http, UrlProtocol(session));
    private readonly BucketSetup buckets = new(s3, session, account, boundary, retry, logger);

    public string Describe(string bucket, string key) => $"s3://{bucket}/{key}";

    public Task<UploadUrlLimit> GetUploadUrlLimitAsync(CancellationToken cancellationToken) =>
        boundary.RunAsync("find out how long the AWS credentials last", _ => credentials.UploadUrlLimitAsync(), cancellationToken);

    public Task<DateTimeOffset> ServerNowAsync(string bucket, CancellationToken cancellationToken) =>
        serverClock.Measured
            ? Task.FromResult(serverClock.Now)
            : boundary.RunAsync($"read the time of bucket {bucket}", async token =>
            {
                // Any answer carries S3's time, a refusal's too.
                await buckets.HeadAsync(bucket, token).ConfigureAwait(false);
                return serverClock.Now;
            }, cancellationToken);

    public Task EnsureBucketAsync(string bucket, CancellationToken cancellationToken) =>
        boundary.RunAsync($"use bucket {bucket}", token => buckets.EnsureAsync(bucket, token), cancellationToken);

    public Task<bool> BucketExistsAsync(string bucket, CancellationToken cancellationToken) =>
        boundary.RunAsync($"look for bucket {bucket}", async token =>
            await buckets.HeadAsync(bucket, token).ConfigureAwait(false) == HttpStatusCode.OK, cancellationToken);

    public Task<Uri> CreateUploadUrlAsync(string bucket, string key, TimeSpan validity, CancellationToken cancellationToken) =>
        boundary.RunAsync($"sign an upload URL for {Describe(bucket, key)}", async token =>
            await SignAsync(bucket, key, HttpVerb.PUT, await SigningOwnerAsync(validity, token).ConfigureAwait(false), validity).ConfigureAwait(false),
            cancellationToken);

    public Task<Uri> CreateDownloadUrlAsync(string bucket, string key, TimeSpan validity, CancellationToken cancellationToken) =>
        boundary.RunAsync($"sign a download URL for {Describe(bucket, key)}", async token =>
            await SignAsync(bucket, key, HttpVerb.GET, await SigningOwnerAsync(validity, token).ConfigureAwait(false), validity).ConfigureAwait(false),
            cancellationToken);

    /// <summary>
    /// The signer of a queue's many URLs: the owner and the credentials' lifetime checked once, as for every URL here,
    /// and the bucket's address and the signature's scope taken from one URL the SDK signs.
    /// </summary>
    public Task<IUrlSigner> CreateUrlSignerAsync(string bucket, TimeSpan validity, CancellationToken cancellationToken) =>
        boundary.RunAsync($"sign URLs for {Describe(bucket, "")}", async token =>
        {
            var owner = await SigningOwnerAsync(validity, token).ConfigureAwait(false);
            // On S3's clock once it is known: S3 refuses a URL dated ahead of its own time, as a fast laptop's would be.
            var signedAt = serverClock.Measured ? serverClock.Now : time.GetUtcNow();
            // Only its address and scope are taken: a short life keeps the SDK from SigV2 at a validity of 7 days to the second.
            var model = await SignAsync(bucket, SignerModelKey, HttpVerb.GET, owner, TimeSpan.FromHours(1)).ConfigureAwait(false);
            var signing = await session.Credentials.GetCredentialsAsync().ConfigureAwait(false);
            return (IUrlSigner)S3UrlSigner.FromSdkUrl(model, SignerModelKey, signing, owner, signedAt, validity);
        }, cancellationToken);

    public Task UploadAsync(string bucket, string key, string path, CancellationToken cancellationToken) =>
        boundary.RunAsync($"upload {path} to {Describe(bucket, key)}", async token =>
        {
            var owner = await account.GetAsync(token).ConfigureAwait(false);
            await CallAsync(attemptToken => s3.PutObjectAsync(
                new PutObjectRequest { BucketName = bucket, Key = key, FilePath = path, ExpectedBucketOwner = owner }, attemptToken), token).ConfigureAwait(false);
        }, cancellationToken);

    public Task PutAsync(string bucket, string key, ReadOnlyMemory<byte> content, CancellationToken cancellationToken) =>
        boundary.RunAsync($"write {Describe(bucket, key)}", async token =>
        {
            var owner = await account.GetAsync(token).ConfigureAwait(false);
            await CallAsync(attemptToken =>
            {
                var request = new PutObjectRequest
                {
                    BucketName = bucket, Key = key, InputStream = new MemoryStream(content.ToArray()), AutoCloseStream = true, ExpectedBucketOwner = owner,
                };
                return s3.PutObjectAsync(request, attemptToken);
            }, token).ConfigureAwait(false);
        }, cancellationToken);

    public Task<byte[]?> GetAsync(string bucket, string key, CancellationToken cancellationToken) =>
        boundary.RunAsync($"read {Describe(bucket, key)}", async token =>
        {
            var request = new GetObjectRequest { BucketName = bucket, Key = key, ExpectedBucketOwner = await account.GetAsync(token).ConfigureAwait(false) };
            try
            {
                return await CallAsync(async attemptToken =>
                {
                    using var response = await s3.GetObjectAsync(request, attemptToken).ConfigureAwait(false);
                    using var buffer = new MemoryStream();
                    await response.ResponseStream.CopyToAsync(buffer, attemptToken).ConfigureAwait(false);
                    return (byte[]?)buffer.ToArray();
                }, token).ConfigureAwait(false);
            }
            catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
            {
                return null;
            }
        }, cancellationToken);

    public Task<VersionedObject?> GetVersionedAsync(string bucket, string key, CancellationToken cancellationToken) =>
        boundary.RunAsync($"read {Describe(bucket, key)}", async token =>
        {
            var request = new GetObjectRequest { BucketName = bucket, Key = key, ExpectedBucketOwner = await account.GetAsync(token).ConfigureAwait(false) };
            try
            {
                return await CallAsync(async attemptToken =>
                {
                    using var response = await s3.GetObjectAsync(request, attemptToken).ConfigureAwait(false);
                    using var buffer = new MemoryStream();
                    await response.ResponseStream.CopyToAsync(buffer, attemptToken).ConfigureAwait(false);
                    return (VersionedObject?)new VersionedObject(buffer.ToArray(), response.ETag);
                }, token).ConfigureAwait(false);
            }
            catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
            {
                return null;
            }
        }, cancellationToken);

    public Task<string?> PutIfAsync(string bucket, string key, ReadOnlyMemory<byte> content, string? ifMatch, CancellationToken cancellationToken) =>
        boundary.RunAsync($"write {Describe(bucket, key)}", async token =>
        {
            var owner = await account.GetAsync(token).ConfigureAwait(false);
            try
            {
                var response = await CallAsync(attemptToken =>
                {
                    var request = new PutObjectRequest
                    {
                        BucketName = bucket, Key = key, InputStream = new MemoryStream(content.ToArray()), AutoCloseStream = true, ExpectedBucketOwner = owner,
                    };
                    if (ifMatch is null)
                    {
                        request.IfNoneMatch = "*";
                    }
                    else
                    {
                        request.IfMatch = ifMatch;
                    }

                    return s3.PutObjectAsync(request, attemptToken);
                }, token).ConfigureAwait(false);
                return (string?)response.ETag;
            }
            // 412: another writer came first; 409: two raced and S3 asks to try again; 404: the object went meanwhile.
            // Each means: read it again.
            catch (AmazonS3Exception e) when (e.StatusCode is HttpStatusCode.PreconditionFailed or HttpStatusCode.Conflict
                || (ifMatch is not null && e.StatusCode == HttpStatusCode.NotFound))
            {
                return null;
            }
        }, cancellationToken);

    public Task<IReadOnlyList<StoredObject>> ListAsync(string bucket, string prefix, CancellationToken cancellationToken) =>
        boundary.RunAsync($"list {Describe(bucket, prefix)}", async token =>
        {
            var owner = await account.GetAsync(token).ConfigureAwait(false);
            var objects = new List<StoredObject>();
            string? continuation = null;
            do
            {
                var request = new ListObjectsV2Request
                {
                    BucketName = bucket, Prefix = prefix, MaxKeys = tuning.S3PageSize, ContinuationToken = continuation, ExpectedBucketOwner = owner,
                };
                var page = await CallAsync(attemptToken => s3.ListObjectsV2Async(request, attemptToken), token).ConfigureAwait(false);
                objects.AddRange((page.S3Objects ?? []).Select(o => ToStoredObject(o.Key, o.Size ?? 0, o.ETag, o.LastModified)));
                continuation = page.IsTruncated == true ? page.NextContinuationToken : null;
            }
            while (continuation is not null);
            IReadOnlyList<StoredObject> result = objects;
            return result;
        }, cancellationToken);

    public Task DownloadAsync(string bucket, string key, string path, CancellationToken cancellationToken) =>
        boundary.RunAsync($"download {Describe(bucket, key)}", async token =>
        {
            var owner = await account.GetAsync(token).ConfigureAwait(false);
            await CallAsync(attemptToken => download.ToFileAsync(bucket, key, owner, path, attemptToken), token).ConfigureAwait(false);
        }, cancellationToken);

    public Task DeleteAsync(string bucket, string prefix, CancellationToken cancellationToken) =>
        boundary.RunAsync($"delete {Describe(bucket, prefix)}", async token =>
        {
            var owner = await account.GetAsync(token).ConfigureAwait(false);
            var keys = (await ListAsync(bucket, prefix, token).ConfigureAwait(false)).Select(o => o.Key).ToList();
            foreach (var chunk in keys.Chunk(1000))
            {
                var request = new DeleteObjectsRequest
                {
                    BucketName = bucket, Objects = chunk.Select(k => new KeyVersion { Key = k }).ToList(), Quiet = true, ExpectedBucketOwner = owner,
                };
                await CallAsync(attemptToken => s3.DeleteObjectsAsync(request, attemptToken), token).ConfigureAwait(false);
            }

            var left = await CallAsync(
                attemptToken => s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket, MaxKeys = 1, ExpectedBucketOwner = owner }, attemptToken),
                token).ConfigureAwait(false);
            if (left.S3Objects is not (null or { Count: 0 }))
            {
                return;
            }

            if (!await buckets.CreatedByAwsrunnerAsync(bucket, token).ConfigureAwait(false))
            {
                LogKeptBucket(logger, bucket);
                return;
            }

            await CallAsync(attemptToken => s3.DeleteBucketAsync(new DeleteBucketRequest { BucketName = bucket, ExpectedBucketOwner = owner }, attemptToken), token)
                .ConfigureAwait(false);
            LogDeletedBucket(logger, bucket);
        }, cancellationToken);

    public void Dispose()
    {
        s3.Dispose();
        http.Dispose();
        account.Dispose();
    }

    /// <summary>The bucket's expected owner, once the credentials are known to outlive URLs of this validity.</summary>
    private async Task<string> SigningOwnerAsync(TimeSpan validity, CancellationToken cancellationToken)
    {
        var limit = await credentials.UploadUrlLimitAsync().ConfigureAwait(false);
        if (validity > limit.Validity)
        {
            throw new InvalidInputException("MaxHours",
                $"the nodes' upload URLs must work for {validity.TotalHours:0.#} hours, but {limit.Reason}: " +
                $"{limit.Remedy ?? "lower DispatchOptions.MaxHours"}{(limit.Remedy is null ? "" : ", or lower DispatchOptions.MaxHours")}");
        }

        return await account.GetAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task<Uri> SignAsync(string bucket, string key, HttpVerb verb, string owner, TimeSpan validity)
    {
        var request = new GetPreSignedUrlRequest
        {
            BucketName = bucket,
            Key = key,
            Verb = verb,
            Expires = time.GetUtcNow().UtcDateTime + validity,
            Protocol = UrlProtocol(session),
        };
        request.Parameters.Add(ExpectedOwnerParameter, owner);
        return new Uri(await s3.GetPreSignedURLAsync(request).ConfigureAwait(false));
    }

    private static Protocol UrlProtocol(AwsSession session) => session.EndpointUrl?.Scheme == Uri.UriSchemeHttp ? Protocol.HTTP : Protocol.HTTPS;

    private static StoredObject ToStoredObject(string key, long size, string? etag, DateTime? lastModified) =>
        new(key, size, (etag ?? "").Trim('"'), new DateTimeOffset(DateTime.SpecifyKind(lastModified ?? default, DateTimeKind.Utc)))
        {
            ContentMd5 = S3ETag.ContentMd5(etag),
        };

    private async Task<T> CallAsync<T>(Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken) =>
        await retry.ExecuteAsync(async token => await call(token).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);

    private async Task CallAsync(Func<CancellationToken, Task> call, CancellationToken cancellationToken) =>
        await retry.ExecuteAsync(async token => await call(token).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);

    [LoggerMessage(Level = LogLevel.Information, Message = "Deleted bucket {Bucket}: it was empty")]
    private static partial void LogDeletedBucket(ILogger logger, string bucket);

    [LoggerMessage(Level = LogLevel.Information, Message = "Kept bucket {Bucket}, empty: awsrunner did not create it")]
    private static partial void LogKeptBucket(ILogger logger, string bucket);

}
