namespace AwsRunner.Core.Cloud;

/// <summary>The longest an upload URL can work, and why: a batch whose nodes would outlive it cannot be dispatched.</summary>
/// <param name="Validity">How long a URL signed now can work.</param>
/// <param name="Reason">What sets the limit, completing "but ...", such as "S3's presigned URLs work at most 7 days".</param>
/// <param name="Remedy">What the user can do about it besides a shorter <c>--max-hours</c>, when there is something.</param>
internal sealed record UploadUrlLimit(TimeSpan Validity, string Reason, string? Remedy = null)
{
    /// <summary>No limit (URLs that do not expire, such as the local cloud's).</summary>
    public static UploadUrlLimit None { get; } = new(TimeSpan.MaxValue, "");
}
