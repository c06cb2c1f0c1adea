namespace AwsRunner.Core.Cloud;

/// <summary>An object in the result store.</summary>
/// <param name="Key">Its key, such as <c>NAME/jobs/0007/job.log</c>.</param>
/// <param name="Size">Its size in bytes.</param>
/// <param name="ETag">Its entity tag: changes whenever the content does.</param>
/// <param name="LastModified">When it was last written.</param>
public sealed record StoredObject(string Key, long Size, string ETag, DateTimeOffset LastModified);
