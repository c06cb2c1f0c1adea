using System.Diagnostics;
using System.Net;
using System.Web;
using System.Xml.Linq;
using Amazon.Runtime;
using AwsRunner.Core;
using AwsRunner.Core.Cloud;
using AwsRunner.Core.Queue;
using AwsRunner.Tests.Cloud.Aws;
using AwsRunner.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using NUnit.Framework;

namespace AwsRunner.Tests.Queue;

/// <summary>
/// The queue's URLs against moto_server, as a node uses them (curl, or a plain HTTP client). moto checks no signature
/// and no expiry: what is signed is proved by the URLs' own tests (S3UrlSignerTests) and by the checks of their
/// signed headers here.
/// </summary>
[TestFixture]
// They share one moto_server, reset between tests.
[NonParallelizable]
public sealed class QueueOnMotoTests
{
    private const string Batch = "sweep1";

    // A server of this fixture's own: the shared one stops when the tests of Cloud/Aws are done, whatever runs after.
    private MotoServer moto = null!;

    [OneTimeSetUp]
    public async Task StartMotoAsync() => moto = await MotoServer.RequireOwnAsync();

    [OneTimeTearDown]
    public async Task StopMotoAsync()
    {
        if (moto is not null)
        {
            await moto.DisposeAsync();
        }
    }

    private async Task<AwsTestBed> OnMotoAsync()
    {
        await moto.ResetAsync();
        return AwsTestBed.OnServer(moto, new BasicAWSCredentials("testing", AwsTestBed.Secret));
    }

    private static System.Collections.Specialized.NameValueCollection Query(Uri url) => HttpUtility.ParseQueryString(url.Query);

    private static async Task<(int Status, string Body)> CurlClaimAsync(Uri claim, string content)
    {
        // Exactly the two signed headers, as the node sends them.
        var curl = await ChildProcess.RunAsync(new ProcessStartInfo("curl",
        [
            "-sS", "-X", "PUT", "-o", "/dev/null", "-w", "%{http_code}",
            "-H", $"{ClaimRequest.IfNoneMatchHeader}: {ClaimRequest.IfNoneMatch}", "-H", $"{ClaimRequest.ContentTypeHeader}: {ClaimRequest.ContentType}",
            "--data-binary", content, claim.AbsoluteUri,
        ]), null, CancellationToken.None);
        Assert.That(curl.ExitCode, Is.EqualTo(0), curl.Error);
        return (int.Parse(curl.Output, System.Globalization.CultureInfo.InvariantCulture), curl.Output);
    }

    [Test]
    public async Task Claim_ByCurlWithItsTwoHeaders_Is200ThenTaken412()
    {
        await using var bed = await OnMotoAsync();
        await bed.Results.EnsureBucketAsync(Batch, CancellationToken.None);
        var signer = await bed.Results.CreateUrlSignerAsync(Batch, TimeSpan.FromHours(30), CancellationToken.None);
        var claim = signer.ClaimUrl(ResultKeys.QueueClaim(Batch, 7, 3));

        var first = await CurlClaimAsync(claim, "node=i-1 slot=1");
        var second = await CurlClaimAsync(claim, "node=i-2 slot=1");

        var stored = await bed.Results.GetAsync(Batch, "sweep1/queue/rows/0007/3.claim", CancellationToken.None);
        Assert.Multiple(() =>
        {
            Assert.That((first.Status, second.Status), Is.EqualTo(((int)HttpStatusCode.OK, (int)HttpStatusCode.PreconditionFailed)));
            Assert.That(System.Text.Encoding.UTF8.GetString(stored!), Is.EqualTo("node=i-1 slot=1"), "the winner's claim, as sent");
            Assert.That(Query(claim)["X-Amz-SignedHeaders"], Is.EqualTo("content-type;host;if-none-match"));
            Assert.That(Query(claim)[Core.Cloud.Aws.S3ResultStore.ExpectedOwnerParameter], Is.EqualTo(AwsTestBed.Account));
            Assert.That(int.Parse(Query(claim)["X-Amz-Expires"]!, System.Globalization.CultureInfo.InvariantCulture), Is.EqualTo(30 * 3600));
            Assert.That(claim.Scheme, Is.EqualTo(Uri.UriSchemeHttp), "moto's endpoint is http");
        });
    }

    [Test]
    public async Task List_OfAPage_ListsTheQueuesRowsAfterItsStartWithTheBucketsDate()
    {
        await using var bed = await OnMotoAsync();
        await bed.Results.EnsureBucketAsync(Batch, CancellationToken.None);
        foreach (var key in new[] { ResultKeys.QueueClaim(Batch, 0, 1), ResultKeys.QueueClaim(Batch, 1, 1), ResultKeys.QueueDone(Batch, 1, 1), ResultKeys.QueueClaim(Batch, 2, 1), "sweep1/jobs/0001/job.log" })
        {
            await bed.Results.PutAsync(Batch, key, "x"u8.ToArray(), CancellationToken.None);
        }

        var signer = await bed.Results.CreateUrlSignerAsync(Batch, TimeSpan.FromHours(30), CancellationToken.None);
        var list = signer.ListUrl(ResultKeys.QueueRows(Batch), ResultKeys.QueueRow(Batch, 1));
        using var http = new HttpClient();
        using var answer = await http.GetAsync(list);
        var xml = XDocument.Parse(await answer.Content.ReadAsStringAsync());

        Assert.Multiple(() =>
        {
            Assert.That(answer.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(answer.Headers.Date, Is.Not.Null, "the bucket's clock");
            Assert.That(xml.Descendants().Where(e => e.Name.LocalName == "Key").Select(e => e.Value),
                Is.EqualTo(new[] { "sweep1/queue/rows/0001/1.claim", "sweep1/queue/rows/0001/1.done", "sweep1/queue/rows/0002/1.claim" }));
            Assert.That(xml.Descendants().Where(e => e.Name.LocalName == "LastModified"), Has.Exactly(3).Items);
            Assert.That(Query(list)["X-Amz-SignedHeaders"], Is.EqualTo("host"));
            Assert.That(Query(list)["max-keys"], Is.EqualTo("1000"));
            Assert.That(Query(list)[Core.Cloud.Aws.S3ResultStore.ExpectedOwnerParameter], Is.EqualTo(AwsTestBed.Account));
        });
    }

    [Test]
    public async Task Publish_OnMoto_UploadsShardsTheirUrlsFetch_EveryUrlSignedAsItMustBe()
    {
        await using var bed = await OnMotoAsync();
        await bed.Results.EnsureBucketAsync(Batch, CancellationToken.None);
        var rows = Enumerable.Range(0, 5).Select(i => new QueueRow(i, "c5.large", $"echo {i}", new Dictionary<string, string>(), [1, 2, 3])).ToList();

        var queue = await new QueueWriter(bed.Results, TimeProvider.System, NullLogger<QueueWriter>.Instance)
            .PublishAsync(Batch, Batch, rows, TimeSpan.FromDays(7), CancellationToken.None);
        using var http = new HttpClient();
        var shard = ShardFiles.Read(await http.GetByteArrayAsync(queue.Types["c5.large"].Shards.Single()));

        var urls = shard.Names.Where(n => n != "index").SelectMany(n => shard.Attempts(n).SelectMany(a => shard.Urls(n, a.Attempt))).ToList();
        var claims = urls.Where(u => u.Key == "AWSRUNNER_URL_CLAIM").Select(u => new Uri(u.Value)).ToList();
        var others = urls.Where(u => u.Key != "AWSRUNNER_URL_CLAIM").Select(u => new Uri(u.Value))
            .Concat(queue.Types["c5.large"].Shards).Concat(queue.Types["c5.large"].Lists).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(shard.Attempts("0004").Select(a => a.Attempt), Is.EqualTo(new[] { 1, 2, 3 }));
            Assert.That(claims, Has.Count.EqualTo(15));
            Assert.That(claims.Select(u => Query(u)["X-Amz-SignedHeaders"]), Is.All.EqualTo("content-type;host;if-none-match"));
            Assert.That(others.Select(u => Query(u)["X-Amz-SignedHeaders"]), Is.All.EqualTo("host"));
            Assert.That(claims.Concat(others).Select(u => Query(u)[Core.Cloud.Aws.S3ResultStore.ExpectedOwnerParameter]), Is.All.EqualTo(AwsTestBed.Account));
            Assert.That(claims.Concat(others).Select(u => int.Parse(Query(u)["X-Amz-Expires"]!, System.Globalization.CultureInfo.InvariantCulture)),
                Is.All.LessThanOrEqualTo(604_800));
            Assert.That(claims.Concat(others).Select(u => u.Scheme), Is.All.EqualTo(Uri.UriSchemeHttp));
            Assert.That(claims.Concat(others).Select(u => u.Query), Has.None.Contains(AwsTestBed.Secret));
        });
    }

    [Test]
    public async Task Signer_ForLongerThanSevenDays_IsRefusedNamingMaxHours()
    {
        await using var bed = await OnMotoAsync();

        var error = Assert.ThrowsAsync<InvalidInputException>(() => bed.Results.CreateUrlSignerAsync(Batch, TimeSpan.FromDays(7) + TimeSpan.FromMinutes(1), CancellationToken.None));

        Assert.That(error!.Message, Does.Contain("S3's presigned URLs work at most 7 days"));
    }

    [Test]
    public async Task Signer_OnAnHttpsEndpoint_SignsHttpsUrls()
    {
        await using var bed = AwsTestBed.Canned(endpoint: new Uri("https://127.0.0.1:9/"));

        var signer = await bed.Results.CreateUrlSignerAsync(Batch, TimeSpan.FromHours(1), CancellationToken.None);

        Assert.That(new[] { signer.ClaimUrl("k"), signer.ReadUrl("k"), signer.WriteUrl("k"), signer.ListUrl("p/", null) }.Select(u => u.Scheme),
            Is.All.EqualTo(Uri.UriSchemeHttps));
    }

    [Test]
    public async Task Signer_OnALaptopTenMinutesFast_DatesItsUrlsOnS3sClock()
    {
        var laptop = new FakeTimeProvider();
        var s3Time = new DateTimeOffset(laptop.GetUtcNow().UtcDateTime.Date.AddHours(12), TimeSpan.Zero);
        laptop.Advance(s3Time - laptop.GetUtcNow() + TimeSpan.FromMinutes(10));
        await using var bed = AwsTestBed.Canned(time: laptop);
        bed.Recorder.Answer = _ => new HttpResponseMessage(HttpStatusCode.OK) { Headers = { Date = s3Time } };
        await bed.Results.ServerNowAsync(Batch, CancellationToken.None);

        var signer = await bed.Results.CreateUrlSignerAsync(Batch, TimeSpan.FromHours(1), CancellationToken.None);

        Assert.That(Query(signer.ClaimUrl("k"))["X-Amz-Date"], Is.EqualTo(s3Time.ToString("yyyyMMdd'T'HHmmss'Z'", System.Globalization.CultureInfo.InvariantCulture)),
            "S3 refuses a URL dated 10 minutes ahead of it");
    }
}
