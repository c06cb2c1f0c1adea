using AwsRunner.Core.Cloud.Local;
using Microsoft.Extensions.Logging;

namespace AwsRunner.Core.Cloud;

/// <summary>The three ports of one cloud, opened together: machines, node shells and the result store.</summary>
public sealed class CloudConnection : IAsyncDisposable
{
    /// <summary>Opens a connection from its ports (for another cloud, or a test double).</summary>
    /// <param name="kind">A short name for the cloud, such as <c>local</c> or <c>aws</c>.</param>
    /// <param name="cloud">The machines.</param>
    /// <param name="shell">The node shells.</param>
    /// <param name="results">The result store.</param>
    public CloudConnection(string kind, ICloud cloud, INodeShell shell, IResultStore results)
    {
        Kind = kind;
        Cloud = cloud;
        Shell = shell;
        Results = results;
    }

    /// <summary>A short name for the cloud: <c>local</c> or <c>aws</c>.</summary>
    public string Kind { get; }

    /// <summary>The region, on a cloud that has regions.</summary>
    public string? Region { get; init; }

    /// <summary>The endpoint used instead of the cloud's own (an emulator such as moto), if any.</summary>
    public string? EndpointUrl { get; init; }

    /// <summary>Instances, key pair and firewall.</summary>
    public ICloud Cloud { get; }

    /// <summary>Commands and uploads to nodes.</summary>
    public INodeShell Shell { get; }

    /// <summary>The bucket.</summary>
    public IResultStore Results { get; }

    /// <summary>The local cloud: nodes are folders and processes on this machine, the bucket a folder.</summary>
    /// <param name="home">The awsrunner home (<c>$AWSRUNNER_HOME</c>) under which nodes and buckets live.</param>
    /// <param name="maxParallel">How many local nodes may run their jobs at once; the others wait their turn.</param>
    /// <param name="time">The clock.</param>
    /// <param name="loggers">Where the cloud logs.</param>
    /// <returns>The connection.</returns>
    public static CloudConnection Local(string home, int maxParallel, TimeProvider time, ILoggerFactory loggers)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxParallel, 1);
        var paths = new LocalPaths(home);
        return new CloudConnection(
            "local",
            new LocalCloud(paths, maxParallel, time, loggers.CreateLogger<LocalCloud>()),
            new LocalNodeShell(),
            new LocalResultStore(paths));
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => Shell.DisposeAsync();
}
