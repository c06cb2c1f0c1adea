using Amazon.Runtime;
using AwsRunner.Core.Cloud.Aws;
using Microsoft.Extensions.Time.Testing;
using NUnit.Framework;

namespace AwsRunner.Tests.Cloud.Aws;

[TestFixture]
public sealed class CredentialLifetimeTests
{
    // The SDK judges a refreshing credential's expiry by the real clock: the fake one starts there.
    private readonly FakeTimeProvider time = new(DateTimeOffset.UtcNow);

    [Test]
    public async Task LongLivedCredentials_LetUrlsLiveS3sSevenDays()
    {
        var limit = await Lifetime(new BasicAWSCredentials("AKIATESTING", "secret")).UploadUrlLimitAsync();

        Assert.Multiple(() =>
        {
            Assert.That(limit.Validity, Is.EqualTo(TimeSpan.FromDays(7)));
            Assert.That(limit.Reason, Is.EqualTo("S3's presigned URLs work at most 7 days"));
            Assert.That(limit.Remedy, Is.Null);
        });
    }

    [Test]
    public async Task RefreshingSession_LastsUntilItsCurrentCredentialsExpire()
    {
        var expires = time.GetUtcNow().AddHours(3);

        var limit = await Lifetime(new ExpiringCredentials(expires.UtcDateTime)).UploadUrlLimitAsync();

        Assert.Multiple(() =>
        {
            // The SDK tells the expiry a minute early, to be safe.
            Assert.That(limit.Validity, Is.EqualTo(TimeSpan.FromHours(3) - TimeSpan.FromMinutes(1)));
            Assert.That(limit.Reason, Does.Contain("temporary AWS credentials")
                .And.Contain($"expire in 2 h 59 min, at {expires.AddMinutes(-1).UtcDateTime:yyyy-MM-dd HH:mm} UTC"));
            Assert.That(limit.Remedy, Does.Contain("long-lived credentials"));
        });
    }

    [Test]
    public async Task SessionLongerThanSevenDays_IsS3sLimitStill()
    {
        var limit = await Lifetime(new ExpiringCredentials(time.GetUtcNow().AddDays(30).UtcDateTime)).UploadUrlLimitAsync();

        Assert.That(limit.Validity, Is.EqualTo(TimeSpan.FromDays(7)));
    }

    [Test]
    public async Task EnvironmentSession_LastsUntilAwsCredentialExpiration()
    {
        var expires = time.GetUtcNow().AddHours(10);
        var environment = new Dictionary<string, string?> { ["AWS_SESSION_TOKEN"] = "token", ["AWS_CREDENTIAL_EXPIRATION"] = expires.ToString("O") };

        var limit = await Lifetime(new SessionAWSCredentials("ASIATESTING", "secret", "token"), environment).UploadUrlLimitAsync();

        Assert.That(limit.Validity, Is.EqualTo(TimeSpan.FromHours(10)));
    }

    [Test]
    public async Task SessionOfUnknownExpiry_IsTakenAsOneHourSayingHowToTellItsExpiry()
    {
        var limit = await Lifetime(new SessionAWSCredentials("ASIATESTING", "secret", "token")).UploadUrlLimitAsync();

        Assert.Multiple(() =>
        {
            Assert.That(limit.Validity, Is.EqualTo(TimeSpan.FromHours(1)));
            Assert.That(limit.Reason, Does.Contain("cannot be known, so it is taken as 1 hour").And.Contain("AWS_CREDENTIAL_EXPIRATION"));
        });
    }

    [Test]
    public async Task AwsCredentialExpiration_OfAnotherSessionToken_IsNotTheseCredentials()
    {
        var environment = new Dictionary<string, string?> { ["AWS_SESSION_TOKEN"] = "other", ["AWS_CREDENTIAL_EXPIRATION"] = time.GetUtcNow().AddHours(10).ToString("O") };

        var limit = await Lifetime(new SessionAWSCredentials("ASIATESTING", "secret", "token"), environment).UploadUrlLimitAsync();

        Assert.That(limit.Validity, Is.EqualTo(TimeSpan.FromHours(1)));
    }

    private CredentialLifetime Lifetime(AWSCredentials credentials, Dictionary<string, string?>? environment = null) =>
        new(credentials, name => environment?.GetValueOrDefault(name), time);

    /// <summary>Temporary credentials that know their expiry, as SSO's and an assumed role's do.</summary>
    private sealed class ExpiringCredentials(DateTime expiration) : RefreshingAWSCredentials
    {
        protected override CredentialsRefreshState GenerateNewCredentials() =>
            new(new ImmutableCredentials("ASIATESTING", "secret", "token"), expiration);
    }
}
