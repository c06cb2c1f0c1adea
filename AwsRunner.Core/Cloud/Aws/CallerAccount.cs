using Amazon.SecurityToken;
using Amazon.SecurityToken.Model;
using Polly;

namespace AwsRunner.Core.Cloud.Aws;

/// <summary>
/// The AWS account the credentials belong to (STS GetCallerIdentity, which needs no permission), asked once: the
/// owner every S3 call names as its <c>ExpectedBucketOwner</c>, so that a bucket of another account is never used.
/// </summary>
internal sealed class CallerAccount(IAmazonSecurityTokenService sts, ResiliencePipeline retry) : IDisposable
{
    private readonly SemaphoreSlim once = new(1, 1);
    private string? account;

    public async Task<string> GetAsync(CancellationToken cancellationToken)
    {
        if (account is not null)
        {
            return account;
        }

        await once.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return account ??= (await retry.ExecuteAsync(
                async token => await sts.GetCallerIdentityAsync(new GetCallerIdentityRequest(), token).ConfigureAwait(false),
                cancellationToken).ConfigureAwait(false)).Account;
        }
        finally
        {
            once.Release();
        }
    }

    public void Dispose()
    {
        sts.Dispose();
        once.Dispose();
    }
}
