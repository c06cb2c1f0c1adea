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
/// requests that are not over TLS.
/// </summary>
internal sealed partial class S3ResultStore(
    IAmazonS3 s3,
    HttpClient http,
    AwsSession session,
    AwsBoundary boundary,
    ResiliencePipeline retry,
    AwsTuning tuning,
    TimeProvider time,
    ILogger<S3ResultStore> logger) : IResultStore, IDisposable
{
    /// <summary>The tag awsrunner puts on a bucket it creates: only such a bucket may <see cref="DeleteAsync"/> remove.</summary>
    public const string CreatedTag = "awsrunner:created";

    /// <summary>SigV4 presigned URLs live at most seven days.</summary>
    public static readonly TimeSpan MaxUrlValidity = TimeSpan.FromDays(7);

    public TimeSpan MaxUploadUrlValidity => MaxUrlValidity;

    private readonly S3Download download = new(s3, http, UrlProtocol(session));

    private int warnedAboutSession;

    public string Describe(string bucket, string key) => $"s3://{bucket}/{key}";

    public Task EnsureBucketAsync(string bucket, CancellationToken cancellationToken) =>
        boundary.RunAsync($"use bucket {bucket}", async token =>
        {
            var status = await HeadAsync(bucket, token).ConfigureAwait(false);
            if (status == HttpStatusCode.NotFound)
            {
                await CreateAsync(bucket, token).ConfigureAwait(false);
                return;
            }

            if (status == HttpStatusCode.Forbidden)
            {
                throw new CloudException("BucketAlreadyExists", $"use bucket {bucket}",
                    "the bucket exists and this AWS identity may not use it: it belongs to another account (or the identity lacks s3:ListBucket)",
                    hint: boundary.Hint("BucketAlreadyExists", ""));
            }

            // The bucket answers; asking to create it again is how S3 tells whose it is: BucketAlreadyOwnedByYou
            // (or, in us-east-1, success) for ours, BucketAlreadyExists for someone else's.
            try
            {
                await CallAsync(attemptToken => s3.PutBucketAsync(PutBucket(bucket), attemptToken), token).ConfigureAwait(false);
            }
            catch (AmazonS3Exception e) when (e.ErrorCode == "BucketAlreadyOwnedByYou")
            {
                LogUsingExisting(logger, bucket);
            }
            catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.Forbidden && e.ErrorCode != "BucketAlreadyExists")
            {
                // Not allowed to create buckets, but allowed to use this one: that is enough.
                LogUsingExisting(logger, bucket);
            }
        }, cancellationToken);

    public Task<bool> BucketExistsAsync(string bucket, CancellationToken cancellationToken) =>
        boundary.RunAsync($"look for bucket {bucket}", async token =>
            await HeadAsync(bucket, token).ConfigureAwait(false) == HttpStatusCode.OK, cancellationToken);

    public Task<JobUploadUrls> CreateUploadUrlsAsync(string bucket, string keyPrefix, TimeSpan validity, CancellationToken cancellationToken)
    {
        if (validity > MaxUrlValidity)
        {
            throw new InvalidInputException("MaxHours",
                $"S3 upload URLs live at most {MaxUrlValidity.TotalDays:0} days, and these would have to live {validity.TotalHours:0} hours: lower --max-hours");
        }

        var expires = time.GetUtcNow().UtcDateTime + validity;
        return boundary.RunAsync($"sign upload URLs for {Describe(bucket, keyPrefix)}", async _ =>
        {
            WarnIfSessionCredentials();
            async Task<Uri> Url(string name) => new(await s3.GetPreSignedURLAsync(new GetPreSignedUrlRequest
            {
                BucketName = bucket,
                Key = keyPrefix + name,
                Verb = HttpVerb.PUT,
                Expires = expires,
                Protocol = UrlProtocol(session),
            }).ConfigureAwait(false));

            return new JobUploadUrls(
                await Url(ResultKeys.Heartbeat).ConfigureAwait(false),
                await Url(ResultKeys.Status).ConfigureAwait(false),
                await Url(ResultKeys.Log).ConfigureAwait(false),
                await Url(ResultKeys.Results).ConfigureAwait(false));
        }, cancellationToken);
    }

    public Task PutAsync(string bucket, string key, ReadOnlyMemory<byte> content, CancellationToken cancellationToken) =>
        boundary.RunAsync($"write {Describe(bucket, key)}", token => CallAsync(attemptToken =>
        {
            var request = new PutObjectRequest { BucketName = bucket, Key = key, InputStream = new MemoryStream(content.ToArray()), AutoCloseStream = true };
            return s3.PutObjectAsync(request, attemptToken);
        }, token), cancellationToken);

    public Task<byte[]?> GetAsync(string bucket, string key, CancellationToken cancellationToken) =>
        boundary.RunAsync($"read {Describe(bucket, key)}", async token =>
        {
            try
            {
                return await CallAsync(async attemptToken =>
                {
                    using var response = await s3.GetObjectAsync(bucket, key, attemptToken).ConfigureAwait(false);
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

    public Task<IReadOnlyList<StoredObject>> ListAsync(string bucket, string prefix, CancellationToken cancellationToken) =>
        boundary.RunAsync($"list {Describe(bucket, prefix)}", async token =>
        {
            var objects = new List<StoredObject>();
            string? continuation = null;
            do
            {
                var request = new ListObjectsV2Request { BucketName = bucket, Prefix = prefix, MaxKeys = tuning.S3PageSize, ContinuationToken = continuation };
                var page = await CallAsync(attemptToken => s3.ListObjectsV2Async(request, attemptToken), token).ConfigureAwait(false);
                objects.AddRange((page.S3Objects ?? []).Select(o => ToStoredObject(o.Key, o.Size ?? 0, o.ETag, o.LastModified)));
                continuation = page.IsTruncated == true ? page.NextContinuationToken : null;
            }
            while (continuation is not null);
            IReadOnlyList<StoredObject> result = objects;
            return result;
        }, cancellationToken);

    public Task DownloadAsync(string bucket, string key, string path, CancellationToken cancellationToken) =>
        boundary.RunAsync($"download {Describe(bucket, key)}", token => CallAsync(attemptToken => download.ToFileAsync(bucket, key, path, attemptToken), token), cancellationToken);

    public Task DeleteAsync(string bucket, string prefix, CancellationToken cancellationToken) =>
        boundary.RunAsync($"delete {Describe(bucket, prefix)}", async token =>
        {
            var keys = (await ListAsync(bucket, prefix, token).ConfigureAwait(false)).Select(o => o.Key).ToList();
            foreach (var chunk in keys.Chunk(1000))
            {
                var request = new DeleteObjectsRequest { BucketName = bucket, Objects = chunk.Select(k => new KeyVersion { Key = k }).ToList(), Quiet = true };
                await CallAsync(attemptToken => s3.DeleteObjectsAsync(request, attemptToken), token).ConfigureAwait(false);
            }

            var left = await CallAsync(attemptToken => s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket, MaxKeys = 1 }, attemptToken), token)
                .ConfigureAwait(false);
            if (left.S3Objects is not (null or { Count: 0 }))
            {
                return;
            }

            if (!await CreatedByAwsrunnerAsync(bucket, token).ConfigureAwait(false))
            {
                LogKeptBucket(logger, bucket);
                return;
            }

            await CallAsync(attemptToken => s3.DeleteBucketAsync(bucket, attemptToken), token).ConfigureAwait(false);
            LogDeletedBucket(logger, bucket);
        }, cancellationToken);

    public void Dispose()
    {
        s3.Dispose();
        http.Dispose();
    }

    private static Protocol UrlProtocol(AwsSession session) => session.EndpointUrl?.Scheme == Uri.UriSchemeHttp ? Protocol.HTTP : Protocol.HTTPS;

    private static StoredObject ToStoredObject(string key, long size, string? etag, DateTime? lastModified) =>
        new(key, size, (etag ?? "").Trim('"'), new DateTimeOffset(DateTime.SpecifyKind(lastModified ?? default, DateTimeKind.Utc)))
        {
            ContentMd5 = S3ETag.ContentMd5(etag),
        };

    /// <summary>OK, NotFound, or Forbidden: the bucket exists and this identity may not use it.</summary>
    private async Task<HttpStatusCode> HeadAsync(string bucket, CancellationToken cancellationToken)
    {
        try
        {
            await CallAsync(attemptToken => s3.HeadBucketAsync(new HeadBucketRequest { BucketName = bucket }, attemptToken), cancellationToken).ConfigureAwait(false);
            return HttpStatusCode.OK;
        }
        catch (AmazonS3Exception e) when (e.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Forbidden)
        {
            return e.StatusCode;
        }
    }

    private async Task CreateAsync(string bucket, CancellationToken cancellationToken)
    {
        try
        {
            await CallAsync(attemptToken => s3.PutBucketAsync(PutBucket(bucket), attemptToken), cancellationToken).ConfigureAwait(false);
        }
        catch (AmazonS3Exception e) when (e.ErrorCode == "BucketAlreadyOwnedByYou")
        {
            // Created meanwhile by another run of ours: still set it up below.
        }

        await CallAsync(attemptToken => s3.PutBucketTaggingAsync(new PutBucketTaggingRequest
        {
            BucketName = bucket,
            TagSet = [new Tag { Key = CreatedTag, Value = "true" }],
        }, attemptToken), cancellationToken).ConfigureAwait(false);

        await CallAsync(attemptToken => s3.PutPublicAccessBlockAsync(new PutPublicAccessBlockRequest
        {
            BucketName = bucket,
            PublicAccessBlockConfiguration = new PublicAccessBlockConfiguration
            {
                BlockPublicAcls = true,
                IgnorePublicAcls = true,
                BlockPublicPolicy = true,
                RestrictPublicBuckets = true,
            },
        }, attemptToken), cancellationToken).ConfigureAwait(false);
        // Over a plain-http emulator endpoint such a policy would lock awsrunner itself out; AWS is always https.
        if (session.EndpointUrl?.Scheme != Uri.UriSchemeHttp)
        {
            await CallAsync(attemptToken => s3.PutBucketPolicyAsync(new PutBucketPolicyRequest { BucketName = bucket, Policy = TlsOnlyPolicy(bucket) }, attemptToken), cancellationToken)
                .ConfigureAwait(false);
        }

        LogCreatedBucket(logger, bucket, session.Region);
    }

    private async Task<bool> CreatedByAwsrunnerAsync(string bucket, CancellationToken cancellationToken)
    {
        try
        {
            var tags = await CallAsync(attemptToken => s3.GetBucketTaggingAsync(new GetBucketTaggingRequest { BucketName = bucket }, attemptToken), cancellationToken)
                .ConfigureAwait(false);
            return tags.TagSet?.Any(t => t.Key == CreatedTag) == true;
        }
        catch (AmazonS3Exception e) when (e.ErrorCode == "NoSuchTagSet")
        {
            return false;
        }
    }

    private PutBucketRequest PutBucket(string bucket) => new()
    {
        BucketName = bucket,
        // us-east-1 is S3's default location and must not be named. (BucketRegionName would turn eu-west-1 into the legacy "EU".)
        PutBucketConfiguration = session.Region == "us-east-1"
            ? null
            : new PutBucketConfiguration { LocationConstraint = new BucketLocationConstraint(session.Region) },
    };

    private string TlsOnlyPolicy(string bucket) => $$"""
        {
          "Version": "2012-10-17",
          "Statement": [
            {
              "Sid": "DenyInsecureTransport",
              "Effect": "Deny",
              "Principal": "*",
              "Action": "s3:*",
              "Resource": ["arn:{{session.Partition}}:s3:::{{bucket}}", "arn:{{session.Partition}}:s3:::{{bucket}}/*"],
              "Condition": { "Bool": { "aws:SecureTransport": "false" } }
            }
          ]
        }
        """;

    // Synchronous on purpose: presigning resolves these very credentials next, so this costs nothing extra.
    private void WarnIfSessionCredentials()
    {
        if (session.Credentials.GetCredentials().UseToken && Interlocked.Exchange(ref warnedAboutSession, 1) == 0)
        {
            LogSessionCredentials(logger);
        }
    }

    private async Task<T> CallAsync<T>(Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken) =>
        await retry.ExecuteAsync(async token => await call(token).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);

    private async Task CallAsync(Func<CancellationToken, Task> call, CancellationToken cancellationToken) =>
        await retry.ExecuteAsync(async token => await call(token).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);

    [LoggerMessage(Level = LogLevel.Information, Message = "Created bucket {Bucket} in {Region}: public access blocked, TLS only")]
    private static partial void LogCreatedBucket(ILogger logger, string bucket, string region);

    [LoggerMessage(Level = LogLevel.Information, Message = "Using existing bucket {Bucket}")]
    private static partial void LogUsingExisting(ILogger logger, string bucket);

    [LoggerMessage(Level = LogLevel.Information, Message = "Deleted bucket {Bucket}: it was empty")]
    private static partial void LogDeletedBucket(ILogger logger, string bucket);

    [LoggerMessage(Level = LogLevel.Information, Message = "Kept bucket {Bucket}, empty: awsrunner did not create it")]
    private static partial void LogKeptBucket(ILogger logger, string bucket);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The AWS credentials are temporary (a session): the nodes' upload URLs stop working when the session ends, which may be before the jobs do")]
    private static partial void LogSessionCredentials(ILogger logger);
}
