using AwsRunner.Core;
using AwsRunner.Core.Jobs;

namespace AwsRunner.Tests.Jobs;

public sealed class BatchNameTests
{
    [TestCase("abc")]
    [TestCase("sweep-2026-11")]
    [TestCase("0day")]
    [TestCase("a23456789012345678901234567890123456789012345678901234567890123")]
    public void Validate_BucketSafeName_IsAccepted(string name)
    {
        Assert.That(BatchName.Validate(name), Is.EqualTo(name));
    }

    [TestCase("ab", "must be 3 to 63 characters long (it has 2)")]
    [TestCase("a234567890123456789012345678901234567890123456789012345678901234", "must be 3 to 63 characters long (it has 64)")]
    [TestCase("Sweep", "may hold only lowercase letters, digits and hyphens")]
    [TestCase("my_batch", "may hold only lowercase letters, digits and hyphens")]
    [TestCase("my.batch", "may hold only lowercase letters, digits and hyphens")]
    [TestCase("-sweep", "must start and end with a lowercase letter or a digit")]
    [TestCase("sweep-", "must start and end with a lowercase letter or a digit")]
    [TestCase("xn--sweep", "must not start with \"xn--\"")]
    [TestCase("sweep-s3alias", "must not end with \"-s3alias\"")]
    public void Validate_NameBreakingBucketRules_SaysWhichRule(string name, string rule)
    {
        var error = Assert.Throws<InvalidInputException>(() => BatchName.Validate(name))!;

        Assert.That(error.Message, Does.StartWith($"name \"{name}\": ").And.Contain(rule));
        Assert.That(error.Code, Is.EqualTo("Name"));
    }
}
