namespace AwsRunner.Core.Cloud;

/// <summary>The port to the bucket that receives every job's results, logs, heartbeats and the batch manifest.</summary>
internal interface IResultStore
{
    /// <summary>How the user would write an object's address, for messages (<c>s3://bucket/key</c>).</summary>
    /// <param name="bucket">The bucket.</param>
    /// <param name="key">The key, or empty for the bucket itself.</param>
    /// <returns>The address.</returns>
    string Describe(string bucket, string key);

    /// <summary>The longest an upload URL signed now can work, and why; a batch whose nodes live longer cannot be dispatched.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The limit (on AWS, S3's and the credentials').</returns>
    Task<UploadUrlLimit> GetUploadUrlLimitAsync(CancellationToken cancellationToken);

    /// <summary>
    /// What the store's own clock says now. The times it gives objects (<see cref="StoredObject.LastModified"/>) are on
    /// that clock, from which this machine's may be minutes off, so the age of an object is measured against this.
    /// </summary>
    /// <param name="bucket">The bucket (asked for the time when the store has not heard it yet).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The store's time now.</returns>
    Task<DateTimeOffset> ServerNowAsync(string bucket, CancellationToken cancellationToken);

    /// <summary>
    /// Creates the bucket if it is missing, marked as awsrunner's (so that <see cref="DeleteAsync"/> may remove it
    /// one day); fails if it exists and belongs to someone else. A bucket that exists is used as it is, unmarked.
    /// </summary>
    /// <param name="bucket">The bucket.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the bucket is usable.</returns>
    Task EnsureBucketAsync(string bucket, CancellationToken cancellationToken);

    /// <summary>Whether the bucket exists and can be read.</summary>
    /// <param name="bucket">The bucket.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>True when it exists.</returns>
    Task<bool> BucketExistsAsync(string bucket, CancellationToken cancellationToken);

    /// <summary>One URL a node PUTs one object to, valid for the given time; it carries its own authority.</summary>
    /// <param name="bucket">The bucket.</param>
    /// <param name="key">The object's key.</param>
    /// <param name="validity">How long the URL must work.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The URL.</returns>
    Task<Uri> CreateUploadUrlAsync(string bucket, string key, TimeSpan validity, CancellationToken cancellationToken);

    /// <summary>One URL a node GETs one object from, valid for the given time; it carries its own authority.</summary>
    /// <param name="bucket">The bucket.</param>
    /// <param name="key">The object's key.</param>
    /// <param name="validity">How long the URL must work.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The URL.</returns>
    Task<Uri> CreateDownloadUrlAsync(string bucket, string key, TimeSpan validity, CancellationToken cancellationToken);

    /// <summary>
    /// A signer of many URLs for the bucket's objects (claims, reads, writes, listings), each valid for the given time
    /// and never more than S3's 7 days: the credentials and the bucket's owner are settled once, here, so that a queue of
    /// 10,000 rows signs its URLs in this machine's CPU alone.
    /// </summary>
    /// <param name="bucket">The bucket.</param>
    /// <param name="validity">How long the URLs must work.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The signer.</returns>
    Task<IUrlSigner> CreateUrlSignerAsync(string bucket, TimeSpan validity, CancellationToken cancellationToken);

    /// <summary>Writes an object from a local file, of any size up to awsrunner's upload limit.</summary>
    /// <param name="bucket">The bucket.</param>
    /// <param name="key">The key.</param>
    /// <param name="path">The local file.</param>
    /// <param name="cancellationToken">Cancels the upload.</param>
    /// <returns>A task that completes when the object is written.</returns>
    Task UploadAsync(string bucket, string key, string path, CancellationToken cancellationToken);

    /// <summary>Writes a small object.</summary>
    /// <param name="bucket">The bucket.</param>
    /// <param name="key">The key.</param>
    /// <param name="content">The bytes.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the object is written.</returns>
    Task PutAsync(string bucket, string key, ReadOnlyMemory<byte> content, CancellationToken cancellationToken);

    /// <summary>Reads a small object.</summary>
    /// <param name="bucket">The bucket.</param>
    /// <param name="key">The key.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The bytes, or null when there is no such object.</returns>
    Task<byte[]?> GetAsync(string bucket, string key, CancellationToken cancellationToken);

    /// <summary>Reads a small object with its version, for a conditional write back (<see cref="PutIfAsync"/>).</summary>
    /// <param name="bucket">The bucket.</param>
    /// <param name="key">The key.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The bytes and their version, or null when there is no such object.</returns>
    Task<VersionedObject?> GetVersionedAsync(string bucket, string key, CancellationToken cancellationToken);

    /// <summary>
    /// Writes a small object only if no one else wrote it since it was read: while it is still the version
    /// <paramref name="ifMatch"/> names, or, when that is null, only if there is no such object yet.
    /// </summary>
    /// <param name="bucket">The bucket.</param>
    /// <param name="key">The key.</param>
    /// <param name="content">The bytes.</param>
    /// <param name="ifMatch">The version the writer read; null to create the object.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The object's new version when written; null when the condition failed (someone else wrote first): read it again.</returns>
    Task<string?> PutIfAsync(string bucket, string key, ReadOnlyMemory<byte> content, string? ifMatch, CancellationToken cancellationToken);

    /// <summary>Every object under a prefix (all pages).</summary>
    /// <param name="bucket">The bucket.</param>
    /// <param name="prefix">The prefix.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The objects.</returns>
    Task<IReadOnlyList<StoredObject>> ListAsync(string bucket, string prefix, CancellationToken cancellationToken);

    /// <summary>Downloads an object to a file, replacing it.</summary>
    /// <param name="bucket">The bucket.</param>
    /// <param name="key">The key.</param>
    /// <param name="path">The local file.</param>
    /// <param name="cancellationToken">Cancels the download.</param>
    /// <returns>A task that completes when the file is complete.</returns>
    Task DownloadAsync(string bucket, string key, string path, CancellationToken cancellationToken);

    /// <summary>
    /// Deletes every object under a prefix, then the bucket itself if that left it empty and awsrunner created it
    /// (<see cref="EnsureBucketAsync"/> marked it); a bucket someone else made stays, even empty.
    /// </summary>
    /// <param name="bucket">The bucket.</param>
    /// <param name="prefix">The prefix.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the objects are gone.</returns>
    Task DeleteAsync(string bucket, string prefix, CancellationToken cancellationToken);
}
