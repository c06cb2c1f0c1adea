using AwsRunner.Core.Cloud;
using Microsoft.Extensions.Time.Testing;
using System.Diagnostics;
using System.Net;
using System.Text;
using AwsRunner.Core;
using AwsRunner.Core.Cloud.Aws;
using AwsRunner.Tests.Support;
using NUnit.Framework;

namespace AwsRunner.Tests.Cloud.Aws;

[TestFixture]
// They share one moto_server, reset between tests.
[NonParallelizable]
public sealed class S3ResultStoreTests
{
    [Test]
    public async Task ServerNow_LaptopClockTenMinutesFast_IsS3sTimeFromTheResponseDate()
    {
        var laptop = new FakeTimeProvider();
        var s3Time = new DateTimeOffset(laptop.GetUtcNow().UtcDateTime.Date.AddHours(12), TimeSpan.Zero);
        laptop.Advance(s3Time - laptop.GetUtcNow() + TimeSpan.FromMinutes(10));
        await using var bed = AwsTestBed.Canned(time: laptop);
        bed.Recorder.Answer = _ =>
        {
            var answer = new HttpResponseMessage(HttpStatusCode.OK);
            answer.Headers.Date = s3Time;
            return answer;
        };

        var first = await bed.Results.ServerNowAsync("sweep1", CancellationToken.None);
        laptop.Advance(TimeSpan.FromSeconds(30));
        var later = await bed.Results.ServerNowAsync("sweep1", CancellationToken.None);

        Assert.That(first, Is.EqualTo(s3Time));
        Assert.That(later, Is.EqualTo(s3Time + TimeSpan.FromSeconds(30)), "measured once, then kept on this clock");
        Assert.That(bed.Recorder.Requests.Count(r => r.Action.StartsWith("HEAD", StringComparison.Ordinal)), Is.EqualTo(1));
    }

    [Test]
    public async Task PutIf_OnMoto_CreatesOnceAndWritesOnlyOverTheVersionRead()
    {
        await using var bed = await AwsTestBed.OnMotoAsync();
        await bed.Results.EnsureBucketAsync("sweep1", CancellationToken.None);

        var created = await bed.Results.PutIfAsync("sweep1", "sweep1/ledger.json", "one"u8.ToArray(), null, CancellationToken.None);
        var createdAgain = await bed.Results.PutIfAsync("sweep1", "sweep1/ledger.json", "two"u8.ToArray(), null, CancellationToken.None);
        var read = await bed.Results.GetVersionedAsync("sweep1", "sweep1/ledger.json", CancellationToken.None);
        var stale = await bed.Results.PutIfAsync("sweep1", "sweep1/ledger.json", "two"u8.ToArray(), "\"0123456789abcdef0123456789abcdef\"", CancellationToken.None);
        var current = await bed.Results.PutIfAsync("sweep1", "sweep1/ledger.json", "two"u8.ToArray(), read!.ETag, CancellationToken.None);
        var missing = await bed.Results.PutIfAsync("sweep1", "sweep1/gone.json", "two"u8.ToArray(), read.ETag, CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(created, Is.EqualTo(read.ETag), "the version a write returns is the one a read gives");
            Assert.That((createdAgain, stale, missing), Is.EqualTo(((string?)null, (string?)null, (string?)null)));
            Assert.That(current, Is.Not.Null.And.Not.EqualTo(read.ETag));
        });
    }

    [Test]
    public async Task EnsureBucket_Missing_CreatesItBlockingPublicAccessAndRefusingPlainHttp()
    {
        await using var bed = await AwsTestBed.OnMotoAsync();

        await bed.Results.EnsureBucketAsync("sweep1", CancellationToken.None);

        var block = (await bed.S3.GetPublicAccessBlockAsync(new() { BucketName = "sweep1" })).PublicAccessBlockConfiguration;
        Assert.That(new[] { block.BlockPublicAcls, block.IgnorePublicAcls, block.BlockPublicPolicy, block.RestrictPublicBuckets }, Is.All.True);
    }

    [Test]
    public async Task EnsureBucket_OverHttps_AddsAPolicyRefusingPlainHttp()
    {
        await using var bed = AwsTestBed.Canned(endpoint: new Uri("https://127.0.0.1:9/"));
        bed.Recorder.Answer = call => call.Action.StartsWith("HEAD /sweep1", StringComparison.Ordinal)
            ? new HttpResponseMessage(HttpStatusCode.NotFound)
            : new HttpResponseMessage(HttpStatusCode.OK);

        await bed.Results.EnsureBucketAsync("sweep1", CancellationToken.None);

        var policy = bed.Recorder.Requests.Single(r => r.Action.EndsWith("?policy", StringComparison.Ordinal)).Body;
        Assert.Multiple(() =>
        {
            Assert.That(policy, Does.Contain("\"Effect\": \"Deny\"").And.Contain("\"aws:SecureTransport\": \"false\""));
            Assert.That(policy, Does.Contain("arn:aws:s3:::sweep1\"").And.Contain("arn:aws:s3:::sweep1/*"));
            Assert.That(bed.Recorder.Requests.Select(r => r.Action), Has.One.Match("^PUT /sweep1/?\\?publicAccessBlock$"));
        });
    }

    [Test]
    public async Task EnsureBucket_CreatesTheBucketInTheBatchRegion()
    {
        await using var bed = await AwsTestBed.OnMotoAsync(region: "eu-west-1");

        await bed.Results.EnsureBucketAsync("sweep1", CancellationToken.None);

        var location = await bed.S3.GetBucketLocationAsync(new Amazon.S3.Model.GetBucketLocationRequest { BucketName = "sweep1" });
        Assert.That(location.Location.Value, Is.EqualTo("eu-west-1"));
    }

    [Test]
    public async Task EnsureBucket_SomeoneElsesBucket_IsAClearErrorAndChangesNothing()
    {
        await using var bed = await AwsTestBed.OnMotoAsync();
        using (var other = new HttpClient())
        {
            using var create = new HttpRequestMessage(HttpMethod.Put, new Uri(bed.Endpoint, "/taken"));
            create.Headers.Add("x-moto-account-id", "333344445555");
            (await other.SendAsync(create)).EnsureSuccessStatusCode();
        }

        var error = Assert.ThrowsAsync<CloudException>(() => bed.Results.EnsureBucketAsync("taken", CancellationToken.None));

        Assert.Multiple(() =>
        {
            Assert.That(error!.Code, Is.EqualTo("BucketAlreadyExists"));
            Assert.That(error.Hint, Does.Contain("DispatchOptions.Bucket"));
            Assert.That(bed.Recorder.Requests.Select(r => r.Action), Has.None.Contains("policy").And.None.Contains("publicAccessBlock"));
        });
    }

    [Test]
    public async Task EnsureBucket_ForbiddenBucket_IsBucketAlreadyExistsBeforeAnythingIsCreated()
    {
        await using var bed = AwsTestBed.Canned();
        bed.Recorder.Answer = call => call.Action.StartsWith("HEAD /taken", StringComparison.Ordinal)
            ? new HttpResponseMessage(HttpStatusCode.Forbidden) { Headers = { { "x-amz-bucket-region", "eu-west-1" } } }
            : AwsRecorder.S3Error("Unexpected", "no other call is expected", HttpStatusCode.InternalServerError);

        var error = Assert.ThrowsAsync<CloudException>(() => bed.Results.EnsureBucketAsync("taken", CancellationToken.None));

        Assert.Multiple(() =>
        {
            Assert.That(error!.Code, Is.EqualTo("BucketAlreadyExists"), string.Join("\n", bed.Recorder.Requests.Select(r => r.Action)));
            Assert.That(S3Calls(bed).Select(r => r.Action), Is.EqualTo(new[] { "HEAD /taken/" }), "one look, nothing created");
            Assert.That(S3Calls(bed).Single().Headers["x-amz-expected-bucket-owner"], Is.EqualTo(AwsTestBed.Account), "S3 refuses another account's bucket itself");
        });
    }

    [Test]
    public async Task EnsureBucket_OwnExistingProtectedBucket_IsUsedWithoutTouchingItsSettings()
    {
        await using var bed = await AwsTestBed.OnMotoAsync();
        await bed.S3.PutBucketAsync("mine");
        await bed.S3.PutPublicAccessBlockAsync(new Amazon.S3.Model.PutPublicAccessBlockRequest
        {
            BucketName = "mine",
            PublicAccessBlockConfiguration = new() { BlockPublicAcls = true, IgnorePublicAcls = true, BlockPublicPolicy = true, RestrictPublicBuckets = true },
        });

        await bed.Results.EnsureBucketAsync("mine", CancellationToken.None);

        Assert.That(S3Calls(bed).Where(r => r.Action.StartsWith("PUT", StringComparison.Ordinal)).Select(r => r.Action),
            Has.None.Contains("policy").And.None.Contains("publicAccessBlock"));
    }

    [Test]
    public async Task EnsureBucket_OwnExistingBucketOpenToThePublic_IsRefusedSayingHowToProtectIt()
    {
        await using var bed = await AwsTestBed.OnMotoAsync();
        await bed.S3.PutBucketAsync("mine");

        var error = Assert.ThrowsAsync<InvalidInputException>(() => bed.Results.EnsureBucketAsync("mine", CancellationToken.None));

        Assert.Multiple(() =>
        {
            Assert.That(error!.Message, Does.StartWith("bucket mine: it exists in this account but does not block public access"));
            Assert.That(error.Message, Does.Contain("DispatchOptions.Bucket").And.Contain("aws s3api put-public-access-block --bucket mine"));
            Assert.That(S3Calls(bed).Where(r => r.Action.StartsWith("PUT", StringComparison.Ordinal)).Select(r => r.Action),
                Has.None.Contains("policy").And.None.Contains("publicAccessBlock"), "nothing changed");
        });
    }

    [Test]
    public async Task EnsureBucket_OverHttps_OwnExistingBucketWithoutTheTlsOnlyPolicy_IsRefused()
    {
        await using var bed = AwsTestBed.Canned(endpoint: new Uri("https://127.0.0.1:9/"));
        bed.Recorder.Answer = ExistingBucket(policy: null);

        var error = Assert.ThrowsAsync<InvalidInputException>(() => bed.Results.EnsureBucketAsync("mine", CancellationToken.None));

        Assert.Multiple(() =>
        {
            Assert.That(error!.Message, Does.Contain("does not refuse plain HTTP").And.Not.Contain("public access"));
            Assert.That(error.Message, Does.Contain("aws s3api put-bucket-policy --bucket mine"));
        });
    }

    [Test]
    public async Task EnsureBucket_OverHttps_OwnExistingBucketWithBoth_IsUsed()
    {
        await using var bed = AwsTestBed.Canned(endpoint: new Uri("https://127.0.0.1:9/"));
        bed.Recorder.Answer = ExistingBucket(policy: """
            {"Version":"2012-10-17","Statement":[{"Sid":"Tls","Effect":"Deny","Principal":{"AWS":"*"},"Action":"s3:*",
            "Resource":["arn:aws:s3:::mine","arn:aws:s3:::mine/*"],"Condition":{"Bool":{"aws:SecureTransport":false}}}]}
            """);

        await bed.Results.EnsureBucketAsync("mine", CancellationToken.None);

        Assert.That(S3Calls(bed).Select(r => r.Action), Has.Some.EndsWith("?policy").And.Some.EndsWith("?publicAccessBlock"));
    }

    [Test]
    public async Task EveryS3Call_NamesTheCallersAccountAsTheBucketsExpectedOwner()
    {
        await using var bed = await AwsTestBed.OnMotoAsync();
        await bed.Results.EnsureBucketAsync("sweep1", CancellationToken.None);
        await bed.Results.PutAsync("sweep1", "sweep1/jobs/0000/job.log", "log"u8.ToArray(), CancellationToken.None);
        await bed.Results.GetAsync("sweep1", "sweep1/jobs/0000/job.log", CancellationToken.None);
        await bed.Results.ListAsync("sweep1", "sweep1/", CancellationToken.None);
        await bed.Results.DownloadAsync("sweep1", "sweep1/jobs/0000/job.log", Path.Combine(bed.Home, "job.log"), CancellationToken.None);
        await bed.Results.DeleteAsync("sweep1", "sweep1/", CancellationToken.None);

        // CreateBucket takes no owner condition, and a presigned download carries it in its (signed) query instead.
        var calls = S3Calls(bed).Where(r => r.Action != "PUT /sweep1/").ToList();
        var presigned = calls.Where(r => r.Action.Contains("X-Amz-Signature=", StringComparison.Ordinal)).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(calls.Except(presigned).Select(r => r.Headers.GetValueOrDefault("x-amz-expected-bucket-owner")), Is.All.EqualTo(AwsTestBed.Account),
                string.Join("\n", calls.Select(c => c.Action)));
            Assert.That(calls.Except(presigned).Count(), Is.GreaterThanOrEqualTo(8), "head, access block, put, get, list, delete, list, delete bucket");
            Assert.That(presigned.Single().Action, Does.Contain($"x-amz-expected-bucket-owner={AwsTestBed.Account}"));
            Assert.That(bed.Recorder.Calls("GetCallerIdentity"), Has.Count.EqualTo(1), "the account is asked once");
        });
    }

    [Test]
    public async Task UploadUrls_ArePresignedPutsThatCurlCanUse_AndCarryNoSecret()
    {
        await using var bed = await AwsTestBed.OnMotoAsync();
        await bed.Results.EnsureBucketAsync("sweep1", CancellationToken.None);
        var file = Path.Combine(bed.Home, "job.log");
        await File.WriteAllTextAsync(file, "hello from the node\n");

        var signer = await bed.Results.CreateUrlSignerAsync("sweep1", TimeSpan.FromHours(30), CancellationToken.None);
        var log = signer.WriteUrl("sweep1/jobs/0007/job.log");
        using var curl = Process.Start(new ProcessStartInfo("curl", ["-sS", "-f", "-T", file, log.ToString()]) { RedirectStandardError = true })!;
        await curl.WaitForExitAsync();

        var uploaded = await bed.Results.GetAsync("sweep1", "sweep1/jobs/0007/job.log", CancellationToken.None);
        Assert.Multiple(() =>
        {
            Assert.That(curl.ExitCode, Is.EqualTo(0), curl.StandardError.ReadToEnd());
            Assert.That(Encoding.UTF8.GetString(uploaded!), Is.EqualTo("hello from the node\n"));
            Assert.That(log.AbsolutePath, Is.EqualTo("/sweep1/sweep1/jobs/0007/job.log"), "path-style on a custom endpoint");
            Assert.That(log.Query, Does.Match("X-Amz-Expires=10(7[89]|80)[0-9][0-9]&").And.Contain("X-Amz-Signature="), "30 hours");
            Assert.That(log.Query, Does.Contain($"x-amz-expected-bucket-owner={AwsTestBed.Account}"), "S3 enforces the owner as a signed query parameter");
            Assert.That(log.ToString(), Does.Not.Contain(AwsTestBed.Secret));
        });
    }

    [Test]
    public async Task UploadUrls_ForANodesResultParts_ArePlainPresignedPutsOfKeysOfTheirOwn_AndNoMultipartUploadIsOpened()
    {
        await using var bed = await AwsTestBed.OnMotoAsync();
        await bed.Results.EnsureBucketAsync("sweep1", CancellationToken.None);
        var file = Path.Combine(bed.Home, "part");
        await File.WriteAllTextAsync(file, "the second part\n");

        var signer = await bed.Results.CreateUrlSignerAsync("sweep1", TimeSpan.FromHours(30), CancellationToken.None);
        var parts = Enumerable.Range(1, 3).Select(part => signer.WriteUrl(ResultKeys.NodePart("sweep1", "i-0abc", part))).ToList();
        using var curl = Process.Start(new ProcessStartInfo("curl", ["-sS", "-f", "-T", file, parts[1].ToString()]) { RedirectStandardError = true })!;
        await curl.WaitForExitAsync();

        var uploaded = await bed.Results.GetAsync("sweep1", "sweep1/parts/i-0abc/00002", CancellationToken.None);
        var open = await bed.S3.ListMultipartUploadsAsync(new Amazon.S3.Model.ListMultipartUploadsRequest { BucketName = "sweep1" });
        Assert.Multiple(() =>
        {
            Assert.That(curl.ExitCode, Is.EqualTo(0), curl.StandardError.ReadToEnd());
            Assert.That(Encoding.UTF8.GetString(uploaded!), Is.EqualTo("the second part\n"));
            Assert.That(parts.Select(u => u.AbsolutePath), Is.EqualTo(new[] { "/sweep1/sweep1/parts/i-0abc/00001", "/sweep1/sweep1/parts/i-0abc/00002", "/sweep1/sweep1/parts/i-0abc/00003" }));
            Assert.That(parts, Has.All.Property("Query").Contains($"x-amz-expected-bucket-owner={AwsTestBed.Account}").And.All.Property("Query").Not.Contains("uploadId"));
            Assert.That(string.Join(" ", parts), Does.Not.Contain(AwsTestBed.Secret));
            Assert.That(open.MultipartUploads ?? [], Is.Empty);
        });
    }

    [Test]
    public async Task UploadUrls_LongerThanSevenDays_AreRefused()
    {
        await using var bed = AwsTestBed.Canned();

        Assert.ThrowsAsync<InvalidInputException>(() =>
            bed.Results.CreateUrlSignerAsync("sweep1", TimeSpan.FromDays(8), CancellationToken.None));
    }

    [Test]
    public async Task UploadUrls_OutlivingTheTemporaryCredentialsThatSignThem_AreRefused()
    {
        await using var bed = AwsTestBed.Canned(credentials: new Amazon.Runtime.SessionAWSCredentials("ASIATESTING", "secret", "token"));

        var error = Assert.ThrowsAsync<InvalidInputException>(() =>
            bed.Results.CreateUrlSignerAsync("sweep1", TimeSpan.FromHours(2), CancellationToken.None));

        Assert.Multiple(() =>
        {
            Assert.That(error!.Message, Does.StartWith("the nodes' upload URLs must work for 2 hours, but they are signed with temporary AWS credentials"));
            Assert.That(bed.Recorder.Requests, Is.Empty, "nothing signed, nothing asked");
        });
    }

    [Test]
    public async Task List_MoreThanOnePage_ReturnsEveryObjectWithSizeAndETag()
    {
        await using var bed = await AwsTestBed.OnMotoAsync(tuning: AwsTestBed.FastTuning with { S3PageSize = 2 });
        await bed.Results.EnsureBucketAsync("sweep1", CancellationToken.None);
        for (var i = 0; i < 5; i++)
        {
            await bed.Results.PutAsync("sweep1", $"sweep1/jobs/000{i}/status.json", new byte[i + 1], CancellationToken.None);
        }

        await bed.Results.PutAsync("sweep1", "other/x", new byte[1], CancellationToken.None);
        bed.Recorder.Clear();

        var objects = await bed.Results.ListAsync("sweep1", "sweep1/jobs/", CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(objects.Select(o => o.Key), Is.EqualTo(Enumerable.Range(0, 5).Select(i => $"sweep1/jobs/000{i}/status.json")));
            Assert.That(objects.Select(o => o.Size), Is.EqualTo(new long[] { 1, 2, 3, 4, 5 }));
            Assert.That(objects.Select(o => o.ETag), Is.All.Not.Empty.And.All.Not.Contain("\""));
            Assert.That(bed.Recorder.Requests, Has.Count.EqualTo(3), "five objects, two a page");
        });
    }

    [Test]
    public async Task List_SlowDown_IsRetriedWithBackoff()
    {
        var time = new InstantTimeProvider();
        await using var bed = AwsTestBed.Canned(time: time, tuning: AwsTestBed.FastTuning with { RetryBaseDelay = TimeSpan.FromSeconds(1) });
        var calls = 0;
        bed.Recorder.Answer = _ => Interlocked.Increment(ref calls) <= 2
            ? AwsRecorder.S3Error("SlowDown", "Please reduce your request rate.", HttpStatusCode.ServiceUnavailable)
            : AwsRecorder.Xml(HttpStatusCode.OK, """
                <ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>sweep1</Name><Prefix>sweep1/</Prefix><KeyCount>1</KeyCount>
                <MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated><Contents><Key>sweep1/manifest.json</Key>
                <LastModified>2026-01-01T00:00:00.000Z</LastModified><ETag>"abc"</ETag><Size>3</Size><StorageClass>STANDARD</StorageClass></Contents></ListBucketResult>
                """);

        var objects = await bed.Results.ListAsync("sweep1", "sweep1/", CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(objects.Select(o => (o.Key, o.Size, o.ETag)), Is.EqualTo(new[] { ("sweep1/manifest.json", 3L, "abc") }));
            Assert.That(calls, Is.EqualTo(3));
            Assert.That(time.Waits, Has.Count.EqualTo(2));
        });
    }

    [Test]
    public async Task Get_MissingObjectOrBucket_IsNull()
    {
        await using var bed = await AwsTestBed.OnMotoAsync();
        await bed.Results.EnsureBucketAsync("sweep1", CancellationToken.None);

        Assert.Multiple(async () =>
        {
            Assert.That(await bed.Results.GetAsync("sweep1", "sweep1/manifest.json", CancellationToken.None), Is.Null);
            Assert.That(await bed.Results.GetAsync("nobucket", "sweep1/manifest.json", CancellationToken.None), Is.Null);
            Assert.That(await bed.Results.BucketExistsAsync("sweep1", CancellationToken.None), Is.True);
            Assert.That(await bed.Results.BucketExistsAsync("nobucket", CancellationToken.None), Is.False);
        });
    }

    [Test]
    public async Task Download_InParallel_WritesEveryFileWhole()
    {
        await using var bed = await AwsTestBed.OnMotoAsync();
        await bed.Results.EnsureBucketAsync("sweep1", CancellationToken.None);
        var contents = Enumerable.Range(0, 8).Select(i => Enumerable.Repeat((byte)i, 100_000 + i).ToArray()).ToList();
        for (var i = 0; i < contents.Count; i++)
        {
            await bed.Results.PutAsync("sweep1", $"sweep1/jobs/000{i}/results.tar.gz", contents[i], CancellationToken.None);
        }

        await Parallel.ForEachAsync(Enumerable.Range(0, contents.Count), async (i, token) =>
            await bed.Results.DownloadAsync("sweep1", $"sweep1/jobs/000{i}/results.tar.gz", Path.Combine(bed.Home, $"{i}.tgz"), token));

        Assert.That(Enumerable.Range(0, contents.Count).Select(i => File.ReadAllBytes(Path.Combine(bed.Home, $"{i}.tgz"))), Is.EqualTo(contents));
    }

    [Test]
    public async Task Download_DamagedOnTheWay_IsDownloadedAgainThenReported()
    {
        var time = new InstantTimeProvider();
        await using var bed = AwsTestBed.Canned(time: time);
        var calls = 0;
        bed.Recorder.Answer = request =>
        {
            Interlocked.Increment(ref calls);
            var answer = new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent("damaged"u8.ToArray()) };
            answer.Headers.ETag = new System.Net.Http.Headers.EntityTagHeaderValue($"\"{Md5Hex("intact")}\"");
            return answer;
        };

        var failure = Assert.ThrowsAsync<CloudException>(() =>
            bed.Results.DownloadAsync("sweep1", "sweep1/jobs/0000/job.log", Path.Combine(bed.Home, "job.log"), CancellationToken.None));

        Assert.Multiple(() =>
        {
            Assert.That(failure!.Message, Does.Contain("arrived damaged"));
            Assert.That(calls, Is.EqualTo(AwsTestBed.FastTuning.MaxRetries + 1));
        });
    }

    [Test]
    public async Task Download_IntactAfterADamagedAttempt_WritesTheFileWhole()
    {
        await using var bed = AwsTestBed.Canned(time: new InstantTimeProvider());
        var calls = 0;
        bed.Recorder.Answer = request =>
        {
            var answer = new HttpResponseMessage(HttpStatusCode.OK)
            {
                Content = new ByteArrayContent(Interlocked.Increment(ref calls) == 1 ? "damaged"u8.ToArray() : "intact"u8.ToArray()),
            };
            answer.Headers.ETag = new System.Net.Http.Headers.EntityTagHeaderValue($"\"{Md5Hex("intact")}\"");
            return answer;
        };
        var path = Path.Combine(bed.Home, "job.log");

        await bed.Results.DownloadAsync("sweep1", "sweep1/jobs/0000/job.log", path, CancellationToken.None);

        Assert.That(File.ReadAllText(path), Is.EqualTo("intact"));
    }

    [Test]
    public async Task Download_MissingObject_IsACloudErrorNamingS3sCode()
    {
        await using var bed = await AwsTestBed.OnMotoAsync();
        await bed.Results.EnsureBucketAsync("sweep1", CancellationToken.None);

        var failure = Assert.ThrowsAsync<CloudException>(() =>
            bed.Results.DownloadAsync("sweep1", "sweep1/jobs/0000/job.log", Path.Combine(bed.Home, "job.log"), CancellationToken.None));

        Assert.That(failure!.Message, Does.Contain("NoSuchKey").And.Contain("s3://sweep1/sweep1/jobs/0000/job.log"));
    }

    [Test]
    public async Task Delete_RemovesThePrefixThenTheBucketOnceEmpty()
    {
        await using var bed = await AwsTestBed.OnMotoAsync();
        await bed.Results.EnsureBucketAsync("sweep1", CancellationToken.None);
        await bed.Results.PutAsync("sweep1", "sweep1/manifest.json", new byte[3], CancellationToken.None);
        await bed.Results.PutAsync("sweep1", "sweep1/jobs/0000/job.log", new byte[3], CancellationToken.None);
        await bed.Results.PutAsync("sweep1", "keep/this", new byte[3], CancellationToken.None);

        await bed.Results.DeleteAsync("sweep1", "sweep1/", CancellationToken.None);
        var kept = await bed.Results.ListAsync("sweep1", "", CancellationToken.None);
        await bed.Results.DeleteAsync("sweep1", "keep/", CancellationToken.None);

        Assert.Multiple(async () =>
        {
            Assert.That(kept.Select(o => o.Key), Is.EqualTo(new[] { "keep/this" }));
            Assert.That(await bed.Results.BucketExistsAsync("sweep1", CancellationToken.None), Is.False);
        });
    }

    [Test]
    public async Task EnsureBucket_Missing_TagsItAsCreatedByAwsrunner()
    {
        await using var bed = await AwsTestBed.OnMotoAsync();

        await bed.Results.EnsureBucketAsync("sweep1", CancellationToken.None);

        var tags = await bed.S3.GetBucketTaggingAsync(new Amazon.S3.Model.GetBucketTaggingRequest { BucketName = "sweep1" });
        Assert.That(tags.TagSet.Select(t => (t.Key, t.Value)), Is.EqualTo(new[] { (BucketSetup.CreatedTag, "true") }));
    }

    [Test]
    public async Task Delete_BucketAwsrunnerDidNotCreate_KeepsItEvenEmpty()
    {
        await using var bed = await AwsTestBed.OnMotoAsync();
        await bed.S3.PutBucketAsync("mine");
        await bed.S3.PutPublicAccessBlockAsync(new Amazon.S3.Model.PutPublicAccessBlockRequest
        {
            BucketName = "mine",
            PublicAccessBlockConfiguration = new Amazon.S3.Model.PublicAccessBlockConfiguration { BlockPublicAcls = true, IgnorePublicAcls = true, BlockPublicPolicy = true, RestrictPublicBuckets = true },
        });
        await bed.Results.EnsureBucketAsync("mine", CancellationToken.None);
        await bed.Results.PutAsync("mine", "sweep1/manifest.json", new byte[3], CancellationToken.None);

        await bed.Results.DeleteAsync("mine", "sweep1/", CancellationToken.None);

        Assert.Multiple(async () =>
        {
            Assert.That(await bed.Results.ListAsync("mine", "", CancellationToken.None), Is.Empty, "the batch's objects are gone");
            Assert.That(await bed.Results.BucketExistsAsync("mine", CancellationToken.None), Is.True, "the bucket stays");
            Assert.That(bed.Recorder.Requests.Select(r => r.Action), Has.None.Match("^DELETE /mine/?$"));
        });
    }

    /// <summary>The calls to S3 (STS's GetCallerIdentity left out).</summary>
    private static List<RecordedRequest> S3Calls(AwsTestBed bed) => bed.Recorder.Requests.Where(r => r.Action != "GetCallerIdentity").ToList();

    /// <summary>An existing bucket of the caller's, public access blocked, with the given policy (none when null).</summary>
    private static Func<RecordedRequest, HttpResponseMessage?> ExistingBucket(string? policy) => call => call.Action switch
    {
        "PUT /mine/" => AwsRecorder.S3Error("BucketAlreadyOwnedByYou", "Your previous request to create the named bucket succeeded and you already own it.", HttpStatusCode.Conflict),
        var a when a.EndsWith("?publicAccessBlock", StringComparison.Ordinal) => AwsRecorder.Xml(HttpStatusCode.OK, """
            <PublicAccessBlockConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><BlockPublicAcls>true</BlockPublicAcls>
            <IgnorePublicAcls>true</IgnorePublicAcls><BlockPublicPolicy>true</BlockPublicPolicy><RestrictPublicBuckets>true</RestrictPublicBuckets>
            </PublicAccessBlockConfiguration>
            """),
        var a when a.EndsWith("?policy", StringComparison.Ordinal) => policy is null
            ? AwsRecorder.S3Error("NoSuchBucketPolicy", "The bucket policy does not exist", HttpStatusCode.NotFound)
            : new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(policy) },
        _ => new HttpResponseMessage(HttpStatusCode.OK),
    };

    [System.Diagnostics.CodeAnalysis.SuppressMessage("Security", "CA5351", Justification = "S3's ETag is an MD5.")]
    private static string Md5Hex(string text) => Convert.ToHexStringLower(System.Security.Cryptography.MD5.HashData(Encoding.UTF8.GetBytes(text)));
}
