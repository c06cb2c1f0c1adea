namespace AwsRunner.Core.Dispatch;

/// <summary>Where the nodes of a create fetch the code bundle from, and how to check it.</summary>
/// <param name="BundleUrl">The bundle's download URL (presigned on S3, <c>file://</c> on the local cloud).</param>
/// <param name="Sha256">The bundle's SHA-256, in lower-case hex.</param>
/// <param name="UrlValidity">How long the URLs given to a node must work.</param>
internal sealed record InstallSource(Uri BundleUrl, string Sha256, TimeSpan UrlValidity);
