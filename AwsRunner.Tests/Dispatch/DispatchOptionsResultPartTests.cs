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

    [TestCase((5L << 20) - 1, "DispatchOptions.ResultPartSize 5 MiB: must be 5 MiB to 5 GiB")]
    [TestCase((5L << 30) + 1, "DispatchOptions.ResultPartSize 5 GiB: must be 5 MiB to 5 GiB")]
    public void ResultPartSize_OutOfS3sRange_FailsNamingTheOption(long size, string message)
    {
        var e = Assert.Throws<InvalidInputException>(() => _ = new DispatchOptions { ImageId = "ami-1", Name = "sweep", JobFile = "j.csv", ResultPartSize = size });

        Assert.That(e!.Message, Does.StartWith(message));
    }
}
