namespace AwsRunner.Bench.Measurements;

/// <summary>What every fan-out run uploads: the code folder and INSTALL.sh, and the same two as one tar.gz.</summary>
/// <param name="Source">The folder holding <c>code/</c> and <c>INSTALL.sh</c>.</param>
/// <param name="Files">Files in <c>code/</c>.</param>
/// <param name="Bytes">Their total size.</param>
/// <param name="BundleBytes">The size of the tar.gz.</param>
/// <param name="BundleTime">How long making the tar.gz took (before the clock, for either tool).</param>
internal sealed record FanOutCode(string Source, int Files, long Bytes, long BundleBytes, TimeSpan BundleTime)
{
    public string Folder => Path.Combine(Source, "code");

    public string Install => Path.Combine(Source, "INSTALL.sh");

    public string Bundle => Path.Combine(Path.GetDirectoryName(Source)!, "bundle.tgz");
}
