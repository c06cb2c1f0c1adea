namespace AwsRunner.Core.Cloud;

/// <summary>
/// The three ports of one cloud, opened together: machines, node shells and the result store. Each cloud's adapter
/// opens its own (<c>LocalCloudConnection</c>, <c>AwsCloudConnection</c>), with the node shells it is given.
/// </summary>
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

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await Shell.DisposeAsync().ConfigureAwait(false);
        (Cloud as IDisposable)?.Dispose();
        (Results as IDisposable)?.Dispose();
    }
}
