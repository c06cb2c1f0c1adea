using System.Net;
using Amazon.S3;
using Amazon.S3.Model;
using Microsoft.Extensions.Logging;
using Polly;

namespace AwsRunner.Core.Cloud.Aws;

/// <summary>
/// Makes sure a results bucket is fit to receive results before anything is put in it: created in the batch's region
/// with every kind of public access blocked and (over TLS endpoints, as AWS's always are) plain HTTP refused; or, when
/// it exists, this account's and protected alike (<see cref="BucketProtection"/>), else refused with what to do.
/// </summary>
internal sealed partial class BucketSetup(IAmazonS3 s3, AwsSession session, CallerAccount account, AwsBoundary boundary, ResiliencePipeline retry, ILogger logger)
{
    /// <summary>The tag awsrunner puts on a bucket it creates: only such a bucket may down --delete-results remove.</summary>
    public const string CreatedTag = "awsrunner:created";

    public async Task EnsureAsync(string bucket, CancellationToken cancellationToken)
    {
        var status = await HeadAsync(bucket, cancellationToken).ConfigureAwait(false);
        if (status == HttpStatusCode.NotFound)
        {
            await CreateAsync(bucket, cancellationToken).ConfigureAwait(false);
            return;
        }

        if (status == HttpStatusCode.Forbidden)
        {
            throw new CloudException("BucketAlreadyExists", $"use bucket {bucket}",
                "the bucket exists and this AWS account does not own it (or this identity lacks s3:ListBucket)",
                hint: boundary.Hint("BucketAlreadyExists", ""));
        }

        // The bucket answers as this account's. Asking to create it again is how S3 tells whose it is where the
        // owner condition is not enforced (S3-compatible stores): BucketAlreadyOwnedByYou (or, in us-east-1,
        // success) for ours, BucketAlreadyExists for someone else's. CreateBucket takes no owner condition.
        try
        {
            await CallAsync(attemptToken => s3.PutBucketAsync(PutBucket(bucket), attemptToken), cancellationToken).ConfigureAwait(false);
        }
        catch (AmazonS3Exception e) when (e.ErrorCode == "BucketAlreadyOwnedByYou")
        {
            // Ours.
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.Forbidden && e.ErrorCode != "BucketAlreadyExists")
        {
            // Not allowed to create buckets, but allowed to use this one: that is enough.
        }

        await CheckProtectedAsync(bucket, cancellationToken).ConfigureAwait(false);
        LogUsingExisting(logger, bucket);
    }

    /// <summary>OK, NotFound, or Forbidden: the bucket exists and this identity may not use it, or this account does not own it.</summary>
    public async Task<HttpStatusCode> HeadAsync(string bucket, CancellationToken cancellationToken)
    {
        var request = new HeadBucketRequest { BucketName = bucket, ExpectedBucketOwner = await account.GetAsync(cancellationToken).ConfigureAwait(false) };
        try
        {
            await CallAsync(attemptToken => s3.HeadBucketAsync(request, attemptToken), cancellationToken).ConfigureAwait(false);
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

        var owner = await account.GetAsync(cancellationToken).ConfigureAwait(false);
        await CallAsync(attemptToken => s3.PutBucketTaggingAsync(new PutBucketTaggingRequest
        {
            BucketName = bucket,
            ExpectedBucketOwner = owner,
            TagSet = [new Tag { Key = CreatedTag, Value = "true" }],
        }, attemptToken), cancellationToken).ConfigureAwait(false);
        await CallAsync(attemptToken => s3.PutPublicAccessBlockAsync(new PutPublicAccessBlockRequest
        {
            BucketName = bucket,
            ExpectedBucketOwner = owner,
            PublicAccessBlockConfiguration = new PublicAccessBlockConfiguration
            {
                BlockPublicAcls = true,
                IgnorePublicAcls = true,
                BlockPublicPolicy = true,
                RestrictPublicBuckets = true,
            },
        }, attemptToken), cancellationToken).ConfigureAwait(false);
        if (TlsOnly)
        {
            var policy = new PutBucketPolicyRequest { BucketName = bucket, ExpectedBucketOwner = owner, Policy = BucketProtection.TlsOnlyPolicy(session.Partition, bucket) };
            await CallAsync(attemptToken => s3.PutBucketPolicyAsync(policy, attemptToken), cancellationToken).ConfigureAwait(false);
        }

        LogCreatedBucket(logger, bucket, session.Region);
    }

    /// <summary>Whether awsrunner created the bucket (it carries <see cref="CreatedTag"/>).</summary>
    public async Task<bool> CreatedByAwsrunnerAsync(string bucket, CancellationToken cancellationToken)
    {
        var owner = await account.GetAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var tags = await CallAsync(
                attemptToken => s3.GetBucketTaggingAsync(new GetBucketTaggingRequest { BucketName = bucket, ExpectedBucketOwner = owner }, attemptToken),
                cancellationToken).ConfigureAwait(false);
            return tags.TagSet?.Any(t => t.Key == CreatedTag) == true;
        }
        catch (AmazonS3Exception e) when (e.ErrorCode == "NoSuchTagSet")
        {
            return false;
        }
    }

    /// <summary>Refuses an existing bucket that lets the public in or takes plain HTTP, saying how to fix it.</summary>
    private async Task CheckProtectedAsync(string bucket, CancellationToken cancellationToken)
    {
        var owner = await account.GetAsync(cancellationToken).ConfigureAwait(false);
        PublicAccessBlockConfiguration? block = null;
        try
        {
            block = (await CallAsync(
                attemptToken => s3.GetPublicAccessBlockAsync(new GetPublicAccessBlockRequest { BucketName = bucket, ExpectedBucketOwner = owner }, attemptToken),
                cancellationToken).ConfigureAwait(false)).PublicAccessBlockConfiguration;
        }
        catch (AmazonS3Exception e) when (e.ErrorCode == "NoSuchPublicAccessBlockConfiguration")
        {
            // None set.
        }

        string? policy = null;
        if (TlsOnly)
        {
            try
            {
                policy = (await CallAsync(
                    attemptToken => s3.GetBucketPolicyAsync(new GetBucketPolicyRequest { BucketName = bucket, ExpectedBucketOwner = owner }, attemptToken),
                    cancellationToken).ConfigureAwait(false)).Policy;
            }
            catch (AmazonS3Exception e) when (e.ErrorCode == "NoSuchBucketPolicy")
            {
                // None set.
            }
        }

        var open = !BucketProtection.BlocksPublicAccess(block);
        var plainHttp = TlsOnly && !BucketProtection.RefusesPlainHttp(policy);
        if (open || plainHttp)
        {
            var lacks = string.Join(" and ", new[] { open ? "does not block public access" : null, plainHttp ? "does not refuse plain HTTP" : null }.OfType<string>());
            throw new InvalidInputException("BucketNotProtected",
                $"bucket {bucket}: it exists in this account but {lacks}, and results go only into a bucket that does both: " +
                $"give another DispatchOptions.Bucket (awsrunner creates a missing one protected), or protect this one first: {BucketProtection.Fix(bucket, open, plainHttp)}");
        }
    }

    // Over a plain-http emulator endpoint such a policy would lock awsrunner itself out; AWS is always https.
    private bool TlsOnly => session.EndpointUrl?.Scheme != Uri.UriSchemeHttp;

    private PutBucketRequest PutBucket(string bucket) => new()
    {
        BucketName = bucket,
        // us-east-1 is S3's default location and must not be named. (BucketRegionName would turn eu-west-1 into the legacy "EU".)
        PutBucketConfiguration = session.Region == "us-east-1"
            ? null
            : new PutBucketConfiguration { LocationConstraint = new BucketLocationConstraint(session.Region) },
    };

    private async Task<T> CallAsync<T>(Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken) =>
        await retry.ExecuteAsync(async token => await call(token).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);

    [LoggerMessage(Level = LogLevel.Information, Message = "Created bucket {Bucket} in {Region}: public access blocked, TLS only")]
    private static partial void LogCreatedBucket(ILogger logger, string bucket, string region);

    [LoggerMessage(Level = LogLevel.Information, Message = "Using existing bucket {Bucket}: this account's, public access blocked, TLS only")]
    private static partial void LogUsingExisting(ILogger logger, string bucket);
}
