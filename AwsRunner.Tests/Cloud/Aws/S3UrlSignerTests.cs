using System.Globalization;
using System.Web;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using AwsRunner.Core.Cloud;
using AwsRunner.Core.Cloud.Aws;
using NUnit.Framework;

namespace AwsRunner.Tests.Cloud.Aws;

/// <summary>
/// What the queue's URLs sign. moto checks no signature, so these are the proof: the signatures are compared with
/// AWSSDK.S3's for what it can presign, and with botocore's (another implementation) for what it cannot (a listing).
/// </summary>
[TestFixture]
public sealed class S3UrlSignerTests
{
    private const string Owner = "123456789012";
    private const string Secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
    private static readonly DateTimeOffset BotocoreTime = new(2025, 3, 14, 15, 9, 26, TimeSpan.Zero);
    private static readonly ImmutableCredentials Plain = new("AKIDEXAMPLE", Secret, null);
    private static readonly ImmutableCredentials Session = new("ASIAEXAMPLE", Secret, "FQoGZXIvYXdzE+token/with=odd&chars");

    // Each signed by botocore 1.43.11's S3SigV4QueryAuth at BotocoreTime in eu-west-1 (the request, its headers and its
    // query as written here; see the commit that added this test).
    [Test]
    public void List_IsTheListObjectsV2PageBotocoreSigns()
    {
        var signer = new S3UrlSigner(new Uri("http://127.0.0.1:5000/sweep1/"), "eu-west-1", Plain, Owner, BotocoreTime, TimeSpan.FromDays(7));

        var url = signer.ListUrl("sweep1/queue/rows/", "sweep1/queue/rows/0111/");

        Assert.Multiple(() =>
        {
            Assert.That(Query(url)["X-Amz-Signature"], Is.EqualTo("38feeedc00ec1c7ed8069bf2ce0ab11186f43ca17e2f9c6d79427541e6a7a737"));
            Assert.That(url.GetLeftPart(UriPartial.Path), Is.EqualTo("http://127.0.0.1:5000/sweep1/"));
            Assert.That(Query(url)["list-type"], Is.EqualTo("2"));
            Assert.That(Query(url)["start-after"], Is.EqualTo("sweep1/queue/rows/0111/"));
            Assert.That(Query(url)["max-keys"], Is.EqualTo("1000"));
            Assert.That(Query(url)["X-Amz-Expires"], Is.EqualTo("604800"));
        });
    }

    [Test]
    public void Claim_SignsIfNoneMatchAndContentType_AsBotocoreDoes()
    {
        var signer = new S3UrlSigner(new Uri("http://127.0.0.1:5000/sweep1/"), "eu-west-1", Plain, Owner, BotocoreTime, TimeSpan.FromHours(1));

        var url = signer.ClaimUrl("sweep1/queue/rows/0007/3.claim");

        Assert.Multiple(() =>
        {
            Assert.That(Query(url)["X-Amz-Signature"], Is.EqualTo("4f1e32d66549e3d3a88415c16b839ea3a6c835a6fd948461472fea7c9abe9599"));
            Assert.That(Query(url)["X-Amz-SignedHeaders"], Is.EqualTo("content-type;host;if-none-match"));
            Assert.That(url.AbsolutePath, Is.EqualTo("/sweep1/sweep1/queue/rows/0007/3.claim"));
        });
    }

    [Test]
    public void Read_WithASessionToken_CarriesTheTokenSignedAsBotocoreDoes()
    {
        var signer = new S3UrlSigner(new Uri("https://sweep1.s3.eu-west-1.amazonaws.com/"), "eu-west-1", Session, Owner, BotocoreTime, TimeSpan.FromDays(1));

        var url = signer.ReadUrl("sweep1/queue/c5.large/shard-00000.tar.gz");

        Assert.Multiple(() =>
        {
            Assert.That(Query(url)["X-Amz-Signature"], Is.EqualTo("2ef2de0ef67d8f4c86fddf87ce964a6b9eb1defb9e40ecf98c4835c9772db386"));
            Assert.That(Query(url)["X-Amz-Security-Token"], Is.EqualTo(Session.Token));
        });
    }

    private static readonly string[] Keys =
    [
        "sweep1/queue/rows/0007/3.claim",
        "sweep1/jobs/0007/attempt-3/results.tar.gz",
        "sweep1/queue/c5.large/shard-00000.tar.gz",
        "sweep1/parts/i-0abc/00001",
        "odd key/with spaces+plus=eq&amp~tilde/é/*",
    ];

    private static IEnumerable<TestCaseData> SdkCases()
    {
        foreach (var (endpoint, name) in new[] { ("http://127.0.0.1:5000/", "moto"), ((string?)null, "aws") })
        {
            foreach (var credentials in new[] { Plain, Session })
            {
                foreach (var claim in new[] { false, true })
                {
                    yield return new TestCaseData(endpoint, credentials, claim).SetName(
                        $"Signature_IsTheSdks_{name}_{(credentials.UseToken ? "session" : "plain")}_{(claim ? "claim" : "put")}");
                }
            }
        }
    }

    [TestCaseSource(nameof(SdkCases))]
    public async Task Signature_IsTheSdks(string? endpoint, ImmutableCredentials credentials, bool claim)
    {
        AWSCredentials signWith = credentials.UseToken
            ? new SessionAWSCredentials(credentials.AccessKey, credentials.SecretKey, credentials.Token)
            : new BasicAWSCredentials(credentials.AccessKey, credentials.SecretKey);
        var session = new AwsSession("eu-west-1", signWith, endpoint is null ? null : new Uri(endpoint));
        using var s3 = SdkClients.S3(session);
        foreach (var key in Keys)
        {
            var sdk = await SdkUrlAsync(s3, key, claim, endpoint is null ? Protocol.HTTPS : Protocol.HTTP);
            var signedAt = DateTimeOffset.ParseExact(Query(sdk)["X-Amz-Date"]!, "yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
            var validity = TimeSpan.FromSeconds(int.Parse(Query(sdk)["X-Amz-Expires"]!, CultureInfo.InvariantCulture));
            var signer = S3UrlSigner.FromSdkUrl(sdk, key, credentials, Owner, signedAt, validity);

            var ours = claim ? signer.ClaimUrl(key) : signer.WriteUrl(key);

            Assert.Multiple(() =>
            {
                Assert.That(ours.GetLeftPart(UriPartial.Path), Is.EqualTo(sdk.GetLeftPart(UriPartial.Path)), key);
                Assert.That(Parameters(ours), Is.EquivalentTo(Parameters(sdk)), key);
                Assert.That(ours.AbsoluteUri, Does.Contain("X-Amz-Signature=" + Query(sdk)["X-Amz-Signature"]), key);
            });
        }
    }

    [Test]
    public void Urls_LongerThanSevenDays_AreRefused_SevenDaysAreSigned()
    {
        var bucket = new Uri("http://127.0.0.1:5000/sweep1/");

        Assert.Multiple(() =>
        {
            Assert.That(() => new S3UrlSigner(bucket, "eu-west-1", Plain, Owner, BotocoreTime, TimeSpan.FromDays(7) + TimeSpan.FromSeconds(1)),
                Throws.InstanceOf<ArgumentOutOfRangeException>());
            Assert.That(Query(new S3UrlSigner(bucket, "eu-west-1", Plain, Owner, BotocoreTime, TimeSpan.FromDays(7)).ReadUrl("k"))["X-Amz-Expires"], Is.EqualTo("604800"));
        });
    }

    private static async Task<Uri> SdkUrlAsync(ClockedS3Client s3, string key, bool claim, Protocol protocol)
    {
        var request = new GetPreSignedUrlRequest
        {
            BucketName = "sweep1", Key = key, Verb = HttpVerb.PUT, Expires = DateTime.UtcNow.AddHours(30), Protocol = protocol,
        };
        request.Parameters.Add(S3ResultStore.ExpectedOwnerParameter, Owner);
        if (claim)
        {
            request.Headers[ClaimRequest.IfNoneMatchHeader] = ClaimRequest.IfNoneMatch;
            request.ContentType = ClaimRequest.ContentType;
        }

        return new Uri(await s3.GetPreSignedURLAsync(request));
    }

    private static System.Collections.Specialized.NameValueCollection Query(Uri url) => HttpUtility.ParseQueryString(url.Query);

    private static string[] Parameters(Uri url) => url.Query.TrimStart('?').Split('&');
}
