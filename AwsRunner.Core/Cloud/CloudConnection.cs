namespace AwsRunner.Core.Cloud;

/// <summary>
/// One cloud, opened: its machines, node shells and result store, which the library reaches through internal ports.
/// Open one with <see cref="Local.LocalCloudConnection.Open"/> or <see cref="Aws.AwsCloudConnection.Open(Aws.AwsCloudOptions, Ssh.SshOptions, string, TimeProvider, Microsoft.Extensions.Logging.ILoggerFactory)"/>
/// and hand it to a <see cref="Dispatch.BatchRunner"/>; dispose it to close its connections.
/// </summary>
public sealed class CloudConnection : IAsyncDisposable
{
    /// <summary>Opens a connection from its ports (a cloud's adapter, or a test double).</summary>
    /// <param name="kind">A short name for the cloud, such as <c>local</c> or <c>aws</c>.</param>
    /// <param name="cloud">The machines.</param>
    /// <param name="shell">The node shells.</param>
    /// <param name="results">The result store.</param>
    internal CloudConnection(string kind, ICloud cloud, INodeShell shell, IResultStore results)
    {
        Kind = kind;
        Cloud = cloud;
        Shell = shell;
        Results = results;
    }

    /// <summary>A short name for the cloud: <c>local</c> or <c>aws</c>.</summary>
    public string Kind { get; }

    /// <summary>The region, on a cloud that has regions.</summary>
    public string? Region { get; internal init; }

    /// <summary>The endpoint used instead of the cloud's own (an emulator such as moto), if any.</summary>
    public string? EndpointUrl { get; internal init; }

    /// <summary>Instances, key pair and firewall.</summary>
    internal ICloud Cloud { get; }

    /// <summary>Commands and uploads to nodes.</summary>
    internal INodeShell Shell { get; }

    /// <summary>The bucket.</summary>
    internal IResultStore Results { get; }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await Shell.DisposeAsync().ConfigureAwait(false);
        (Cloud as IDisposable)?.Dispose();
        (Results as IDisposable)?.Dispose();
    }
}
