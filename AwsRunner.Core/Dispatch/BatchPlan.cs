using AwsRunner.Core.Jobs;

namespace AwsRunner.Core.Dispatch;

/// <summary>A validated batch: what a dispatch would create and run. Building it creates nothing.</summary>
public sealed class BatchPlan
{
    /// <summary>The batch's NAME.</summary>
    public required string Name { get; init; }

    /// <summary>The machine image.</summary>
    public required string ImageId { get; init; }

    /// <summary>The bucket that receives results.</summary>
    public required string Bucket { get; init; }

    /// <summary>The cloud it runs on (<c>local</c> or <c>aws</c>).</summary>
    public required string Cloud { get; init; }

    /// <summary>Where the batch's results go, as the cloud names it (such as <c>s3://NAME/NAME/</c>).</summary>
    public required string ResultsLocation { get; init; }

    /// <summary>The jobs.</summary>
    public required JobFile Jobs { get; init; }

    /// <summary>The INSTALL.sh, if any (full path).</summary>
    public string? InstallScript { get; init; }

    /// <summary>The code folder (full path).</summary>
    public required string CodeDirectory { get; init; }

    /// <summary>Files in the code folder.</summary>
    public int CodeFiles { get; init; }

    /// <summary>Bytes in the code folder.</summary>
    public long CodeBytes { get; init; }

    /// <summary>The names of the secrets every job gets (their values stay out of the plan's public face).</summary>
    public IReadOnlyList<string> SecretNames => Secrets.Select(s => s.Key).ToList();

    /// <summary>The secrets' values, read at planning; they go to the nodes over SSH only.</summary>
    internal IReadOnlyList<KeyValuePair<string, string>> Secrets { get; init; } = [];

    /// <summary>The options the plan was made from.</summary>
    public required DispatchOptions Options { get; init; }

    /// <summary>How many instances of each type the batch needs.</summary>
    public IReadOnlyDictionary<string, int> InstanceTypes =>
        Jobs.Rows.GroupBy(r => r.InstanceType).OrderBy(g => g.Key, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Count());
}
