using AwsRunner.Core.Cloud.Aws;

namespace AwsRunner.Tests.Cloud.Aws;

public sealed class S3ETagTests
{
    [TestCase("\"9E107D9D372BB6826BD81D3542A419D6\"", "9e107d9d372bb6826bd81d3542a419d6")]
    [TestCase("9e107d9d372bb6826bd81d3542a419d6", "9e107d9d372bb6826bd81d3542a419d6")]
    public void ContentMd5_ObjectWrittenInOnePiece_IsItsMd5(string etag, string md5) =>
        Assert.That(S3ETag.ContentMd5(etag), Is.EqualTo(md5));

    [TestCase("\"d41d8cd98f00b204e9800998ecf8427e-3\"")]
    [TestCase("")]
    [TestCase(null)]
    public void ContentMd5_MultipartOrMissing_IsUnknown(string? etag) =>
        Assert.That(S3ETag.ContentMd5(etag), Is.Null);
}
