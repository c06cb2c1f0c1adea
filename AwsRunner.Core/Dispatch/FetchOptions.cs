namespace AwsRunner.Core.Dispatch;

/// <summary>How <c>awsrunner fetch</c> treats what the nodes uploaded.</summary>
public sealed class FetchOptions
{
    /// <summary>
    /// The most bytes one job may bring home: each object it uploaded, and its results archive once unpacked. A job
    /// over it is reported and not fetched, so an archive that unpacks to far more than it weighs cannot fill this
    /// machine's disk. The default is larger than a node's root volume usually holds.
    /// </summary>
    public long MaxResultBytes
    {
        get;
        init => field = value > 0 ? value : throw new InvalidInputException("MaxResultSize", $"FetchOptions.MaxResultBytes {value}: must be a positive size");
    } = 50L << 30;
}
