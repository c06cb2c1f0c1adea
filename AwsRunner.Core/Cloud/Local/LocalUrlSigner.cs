namespace AwsRunner.Core.Cloud.Local;

/// <summary>
/// The local cloud's URLs: <c>file://</c> paths into the bucket's folder, which carry no signature and do not expire.
/// Each folder a node writes into is made here, since neither curl's <c>file://</c> upload nor bash's exclusive create
/// (a claim: <c>set -o noclobber</c>) makes one.
/// </summary>
internal sealed class LocalUrlSigner(LocalResultStore store, string bucket) : IUrlSigner
{
    // One folder lists the whole prefix: the node reads it with find.
    public int? ListPageKeys => null;

    public Uri ReadUrl(string key) => new(store.Describe(bucket, key));

    public Uri WriteUrl(string key) => InFolder(key);

    public Uri ClaimUrl(string key) => InFolder(key);

    public Uri ListUrl(string prefix, string? startAfter)
    {
        var folder = store.Describe(bucket, prefix);
        Directory.CreateDirectory(folder);
        return new Uri(Path.EndsInDirectorySeparator(folder) ? folder : folder + Path.DirectorySeparatorChar);
    }

    private Uri InFolder(string key)
    {
        var path = store.Describe(bucket, key);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        return new Uri(path);
    }
}
