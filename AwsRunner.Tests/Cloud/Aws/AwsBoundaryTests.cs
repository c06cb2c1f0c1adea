using System.Net;
using AwsRunner.Core;
using AwsRunner.Core.Cloud.Aws;
using AwsRunner.Tests.Support;
using NUnit.Framework;

namespace AwsRunner.Tests.Cloud.Aws;

/// <summary>Every AWS error the user is likely to meet, answered by canned AWS error bodies, as the user sees it.</summary>
[TestFixture]
// They share one moto_server, reset between tests.
[NonParallelizable]
public sealed class AwsBoundaryTests
{
    private const string Unauthorized =
        "You are not authorized to perform this operation. User: arn:aws:iam::123456789012:user/ana is not authorized to perform: " +
        "ec2:RunInstances on resource: arn:aws:ec2:eu-west-1:123456789012:instance/* because no identity-based policy allows the " +
        "ec2:RunInstances action. Encoded authorization failure message: AbCdEf";

    [TestCase("AuthFailure", "AWS was not able to validate the provided access credentials", "refused the credentials")]
    [TestCase("UnauthorizedOperation", Unauthorized, "may not call ec2:RunInstances")]
    [TestCase("UnauthorizedOperation", "You are not authorized to perform this operation. Encoded authorization failure message: AbCdEf", "decode-authorization-message")]
    [TestCase("InstanceLimitExceeded", "You have requested more instances (21) than your current instance limit of 20 allows", "Service Quotas")]
    [TestCase("InsufficientInstanceCapacity", "We currently do not have sufficient c5.large capacity in the Availability Zone you requested", "another instance type")]
    [TestCase("VcpuLimitExceeded", "You have requested more vCPU capacity than your current vCPU limit of 32 allows", "vCPU quota")]
    public async Task Ec2Error_BecomesCloudErrorWithCodeMessageRequestIdAndHint(string code, string message, string hint)
    {
        await using var bed = AwsTestBed.Canned();
        bed.Recorder.Answer = _ => AwsRecorder.Ec2Error(code, message);

        var error = Assert.ThrowsAsync<CloudException>(() => bed.Cloud.DescribeAsync("sweep1", CancellationToken.None));

        Assert.Multiple(() =>
        {
            Assert.That(error!.Code, Is.EqualTo(code));
            Assert.That(error.Detail, Is.EqualTo(message));
            Assert.That(error.RequestId, Is.EqualTo("req-" + code));
            Assert.That(error.Message, Does.StartWith("Error attempting to describe the instances of batch sweep1: "));
            Assert.That(error.Hint, Does.Contain(hint));
        });
    }

    [Test]
    public async Task ImageNotFound_IsInvalidInputNamingImageAndRegion()
    {
        await using var bed = AwsTestBed.Canned(region: "eu-north-1");
        bed.Recorder.Answer = _ => AwsRecorder.Ec2Error("InvalidAMIID.NotFound", "The image id '[ami-0123456789abcdef0]' does not exist");

        var error = Assert.ThrowsAsync<InvalidInputException>(() => bed.Cloud.CheckImageAsync("ami-0123456789abcdef0", CancellationToken.None));

        Assert.Multiple(() =>
        {
            Assert.That(error!.Code, Is.EqualTo("InvalidAMIID.NotFound"));
            Assert.That(error.Message, Does.Contain("ami-0123456789abcdef0").And.Contain("eu-north-1").And.Contain("describe-images"));
        });
    }

    [Test]
    public async Task KeyFileAwsCannotUse_IsInvalidInput()
    {
        var keyFile = Path.Combine(Path.GetTempPath(), $"awsrunner-notakey-{Guid.NewGuid():N}");
        await File.WriteAllTextAsync(keyFile + ".pub", "this is not a public key\n");
        await using var bed = AwsTestBed.Canned(new AwsCloudOptions { SshCidr = AwsTestBed.Cidr, KeyFile = keyFile });
        bed.Recorder.Answer = call => call.Action == "DescribeKeyPairs"
            ? AwsRecorder.Xml(HttpStatusCode.OK, "<DescribeKeyPairsResponse><keySet/></DescribeKeyPairsResponse>")
            : AwsRecorder.Ec2Error("InvalidKeyPair.Format", "Key is not in valid OpenSSH public key format");

        var error = Assert.ThrowsAsync<InvalidInputException>(() => bed.Cloud.PrepareAccessAsync("sweep1", CancellationToken.None));
        File.Delete(keyFile + ".pub");

        Assert.That(error!.Message, Does.StartWith("AwsCloudOptions.KeyFile: AWS cannot use its public half: Key is not in valid OpenSSH public key format"));
    }

    [Test]
    public async Task BucketAlreadyExists_IsCloudErrorWithAHintToPickAnotherName()
    {
        await using var bed = AwsTestBed.Canned();
        bed.Recorder.Answer = call => call.Action.StartsWith("HEAD", StringComparison.Ordinal)
            ? new HttpResponseMessage(HttpStatusCode.NotFound)
            : AwsRecorder.S3Error("BucketAlreadyExists", "The requested bucket name is not available.", HttpStatusCode.Conflict);

        var error = Assert.ThrowsAsync<CloudException>(() => bed.Results.EnsureBucketAsync("popular", CancellationToken.None));

        Assert.Multiple(() =>
        {
            Assert.That(error!.Code, Is.EqualTo("BucketAlreadyExists"));
            Assert.That(error.RequestId, Is.EqualTo("req-BucketAlreadyExists"));
            Assert.That(error.Message, Does.StartWith("Error attempting to use bucket popular: The requested bucket name is not available."));
            Assert.That(error.Hint, Does.Contain("DispatchOptions.Bucket"));
        });
    }

    [Test]
    public async Task S3AccessDenied_NamesTheMissingAction()
    {
        await using var bed = AwsTestBed.Canned();
        bed.Recorder.Answer = _ => AwsRecorder.S3Error("AccessDenied",
            "User: arn:aws:iam::123456789012:user/ana is not authorized to perform: s3:ListBucket on resource: \"arn:aws:s3:::sweep1\"",
            HttpStatusCode.Forbidden);

        var error = Assert.ThrowsAsync<CloudException>(() => bed.Results.ListAsync("sweep1", "sweep1/jobs/", CancellationToken.None));

        Assert.That(error!.Hint, Does.Contain("s3:ListBucket"));
    }

    [Test]
    public async Task UnreachableEndpoint_IsCloudErrorSayingWhatWasAttempted()
    {
        await using var bed = AwsTestBed.Canned();
        bed.Recorder.Answer = _ => throw new HttpRequestException("Connection refused (127.0.0.1:9)");

        var error = Assert.ThrowsAsync<CloudException>(() => bed.Cloud.ListBatchesAsync(CancellationToken.None));

        Assert.Multiple(() =>
        {
            Assert.That(error!.Code, Is.EqualTo("Unreachable"));
            Assert.That(error.Message, Does.StartWith("Error attempting to list the batches that have instances: Connection refused"));
        });
    }
}
