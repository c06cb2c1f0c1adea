using AwsRunner.Core;
using AwsRunner.Core.Dispatch;

namespace AwsRunner.Tests.Dispatch;

public sealed class DispatchOptionsRetryTests
{
    [Test]
    public void Defaults_TwoRetriesOnDemandAfterTwoPreemptionsNoExitCodeRetried()
    {
        var options = new DispatchOptions { ImageId = "ami-12345678", Name = "sweep", JobFile = "jobs.csv" };

        Assert.That((options.MaxRetries, options.SpotFallbackAfter, options.RetryOnExit.Count), Is.EqualTo((2, 2, 0)));
    }

    [TestCase(-1)]
    [TestCase(101)]
    public void MaxRetries_OutOfRange_FailsNamingTheOption(int retries)
    {
        var e = Assert.Throws<InvalidInputException>(() => _ = new DispatchOptions { ImageId = "ami-1", Name = "sweep", JobFile = "j.csv", MaxRetries = retries });

        Assert.That(e!.Message, Does.StartWith($"DispatchOptions.MaxRetries {retries}: must be 0"));
    }

    [Test]
    public void SpotFallbackAfter_Zero_FailsNamingTheOption()
    {
        var e = Assert.Throws<InvalidInputException>(() => _ = new DispatchOptions { ImageId = "ami-1", Name = "sweep", JobFile = "j.csv", SpotFallbackAfter = 0 });

        Assert.That(e!.Message, Does.StartWith("DispatchOptions.SpotFallbackAfter 0: must be at least 1"));
    }

    [TestCase(0)]
    [TestCase(256)]
    public void RetryOnExit_CodeNoJobCanExitWithAsAFailure_FailsNamingIt(int code)
    {
        var e = Assert.Throws<InvalidInputException>(() => _ = new DispatchOptions { ImageId = "ami-1", Name = "sweep", JobFile = "j.csv", RetryOnExit = [75, code] });

        Assert.That(e!.Message, Does.StartWith($"DispatchOptions.RetryOnExit {code}: an exit code worth retrying is 1 to 255"));
    }
}
