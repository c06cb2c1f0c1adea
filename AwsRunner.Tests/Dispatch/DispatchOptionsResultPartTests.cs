using AwsRunner.Core;
using AwsRunner.Core.Dispatch;

namespace AwsRunner.Tests.Dispatch;

public sealed class DispatchOptionsResultPartTests
{
    [Test]
    public void Default_IsTheLargestOnePutTakes() =>
        Assert.That(new DispatchOptions { ImageId = "ami-1", Name = "sweep", JobFile = "j.csv" }.ResultPartSize, Is.EqualTo(5L << 30));

    [TestCase(5L << 20)]
    [TestCase(5L << 30)]
    public void ResultPartSize_S3sSmallestPartOrLargestPut_IsTaken(long size) =>
        Assert.That(new DispatchOptions { ImageId = "ami-1", Name = "sweep", JobFile = "j.csv", ResultPartSize = size }.ResultPartSize, Is.EqualTo(size));

    [TestCase((5L << 20) - 1, "--result-part-size 5 MiB: must be 5 MiB to 5 GiB")]
    [TestCase((5L << 30) + 1, "--result-part-size 5 GiB: must be 5 MiB to 5 GiB")]
    public void ResultPartSize_OutOfS3sRange_FailsNamingTheOption(long size, string message)
    {
        var e = Assert.Throws<InvalidInputException>(() => _ = new DispatchOptions { ImageId = "ami-1", Name = "sweep", JobFile = "j.csv", ResultPartSize = size });

        Assert.That(e!.Message, Does.StartWith(message));
    }

    [Test]
    public void JobEnvironment_GivesTheNodeThePartSizeAndHowManyPartsItHasUrlsFor()
    {
        var urls = JobEnvironment.UrlsFor(new Core.Cloud.JobUploadUrls(
            new Uri("https://b.example/h"), new Uri("https://b.example/s"), new Uri("https://b.example/l"), new Uri("https://b.example/r"))
        {
            ResultParts = [new Uri("https://b.example/r.part-00001?sig=1"), new Uri("https://b.example/r.part-00002?sig=2")],
        });

        Assert.That(urls, Does.Contain("AWSRUNNER_URL_RESULTS_PART_1='https://b.example/r.part-00001?sig=1'\n")
            .And.Contain("AWSRUNNER_URL_RESULTS_PART_2='https://b.example/r.part-00002?sig=2'\n"));
        Assert.That(Defaults.ResultParts, Is.EqualTo(20));
    }
}
