namespace AwsRunner.Core.Cloud.Aws;

/// <summary>The waits, page sizes and retry limits of the AWS cloud; tests shrink them.</summary>
internal sealed record AwsTuning
{
    public static AwsTuning Default { get; } = new();

    /// <summary>How often to look while waiting for instances to terminate.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(5);

    public TimeSpan TerminateTimeout { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>How long a security group may stay in use by the network interfaces of instances just terminated.</summary>
    public TimeSpan GroupReleaseTimeout { get; init; } = TimeSpan.FromMinutes(3);

    /// <summary>MaxResults of paginated EC2 calls (AWS allows 5 to 1000).</summary>
    public int Ec2PageSize { get; init; } = 1000;

    /// <summary>MaxKeys of S3 listings (S3 allows up to 1000).</summary>
    public int S3PageSize { get; init; } = 1000;

    /// <summary>Attempts after the first when AWS throttles or fails transiently.</summary>
    public int MaxRetries { get; init; } = 8;

    /// <summary>The first retry's delay; each next one doubles, with jitter.</summary>
    public TimeSpan RetryBaseDelay { get; init; } = TimeSpan.FromSeconds(1);

    public TimeSpan RetryMaxDelay { get; init; } = TimeSpan.FromSeconds(30);
}
