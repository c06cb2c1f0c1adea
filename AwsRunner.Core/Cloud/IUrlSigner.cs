namespace AwsRunner.Core.Cloud;

/// <summary>
/// Signs many URLs for one bucket at once, each of which carries its own authority (a node needs nothing but the URL):
/// the credentials, the bucket's owner and the validity are settled once, when the store makes the signer, and each
/// URL then costs a few microseconds of this machine's CPU and no call to the cloud. Safe to use from several threads.
/// </summary>
internal interface IUrlSigner
{
    /// <summary>
    /// The most keys one <see cref="ListUrl"/> URL answers with (S3's page of 1000); null when one List URL shows the whole
    /// prefix, as a folder of the local cloud does.
    /// </summary>
    int? ListPageKeys { get; }

    /// <summary>A URL that reads one object (GET).</summary>
    /// <param name="key">The object's key.</param>
    /// <returns>The URL.</returns>
    Uri ReadUrl(string key);

    /// <summary>A URL that writes one object (PUT), over what is there.</summary>
    /// <param name="key">The object's key.</param>
    /// <returns>The URL.</returns>
    Uri WriteUrl(string key);

    /// <summary>
    /// A URL that creates one object only if there is none yet: a PUT whose signature covers
    /// <c>If-None-Match: *</c> and <c>Content-Type: application/octet-stream</c>, which the caller must send exactly
    /// (<see cref="ClaimRequest"/>); S3 answers 200 to the one creator, 412 when the object exists, 409 to a writer
    /// that raced another (try again). On the local cloud, the path the caller creates exclusively.
    /// </summary>
    /// <param name="key">The object's key.</param>
    /// <returns>The URL.</returns>
    Uri ClaimUrl(string key);

    /// <summary>
    /// A URL that lists the keys under a prefix after a given one, <see cref="ListPageKeys"/> at most (S3's
    /// ListObjectsV2, one page: its continuation cannot be signed ahead, so each page is a URL of its own). On the local
    /// cloud, the prefix's folder.
    /// </summary>
    /// <param name="prefix">The prefix, ending with <c>/</c>.</param>
    /// <param name="startAfter">The page lists keys after this one; null from the first.</param>
    /// <returns>The URL.</returns>
    Uri ListUrl(string prefix, string? startAfter);
}
