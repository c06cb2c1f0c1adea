namespace AwsRunner.Core.Cloud;

/// <summary>
/// The two headers a claim (<see cref="IUrlSigner.ClaimUrl"/>) is signed with and sent with: S3 creates the object only
/// if there is none, and stores the body as sent (without a content type curl sends a form's, and moto stored nothing).
/// </summary>
internal static class ClaimRequest
{
    public const string IfNoneMatchHeader = "If-None-Match";

    public const string IfNoneMatch = "*";

    public const string ContentTypeHeader = "Content-Type";

    public const string ContentType = "application/octet-stream";
}
