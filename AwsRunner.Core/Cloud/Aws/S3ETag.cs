namespace AwsRunner.Core.Cloud.Aws;

/// <summary>What an S3 ETag says about an object's content.</summary>
internal static class S3ETag
{
    /// <summary>
    /// The content's MD5 (lowercase hex) when the ETag is one: an object written in one piece has its MD5 as ETag, a
    /// multipart upload "md5-of-the-parts'-md5s-N".
    /// </summary>
    public static string? ContentMd5(string? etag)
    {
        var bare = (etag ?? "").Trim('"');
        return bare.Length == 32 && bare.All(char.IsAsciiHexDigit) ? bare.ToLowerInvariant() : null;
    }
}
