using AwsRunner.Core.Cloud.Aws;
using AwsRunner.Core.Cloud.Local;
using AwsRunner.Core.Cloud.Ssh;
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

    /// <summary>How the node shells reach the nodes, when they are OpenSSH's (<see cref="NodeShells.OpenSsh"/>).</summary>
    public SshOptions? Ssh => (Shell as SshNodeShell)?.Options;

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

    /// <summary>
    /// The AWS cloud: EC2 and S3 through AWSSDK's clients, reached with the SDK's credentials and the options' region.
    /// Nothing is called on AWS until a port is used.
    /// </summary>
    /// <param name="options">Region, profile, endpoint and launch settings.</param>
    /// <param name="shell">How to reach the nodes (SSH), supplied by the caller.</param>
    /// <param name="home">The awsrunner home (<c>$AWSRUNNER_HOME</c>): batch key pairs are saved under it.</param>
    /// <param name="time">The clock that retries and waits run on.</param>
    /// <param name="loggers">Where the cloud logs.</param>
    /// <returns>The connection.</returns>
    /// <exception cref="InvalidInputException">No region, or a malformed region or endpoint.</exception>
    /// <exception cref="CloudException">No credentials could be found.</exception>
    public static CloudConnection Aws(AwsCloudOptions options, INodeShell shell, string home, TimeProvider time, ILoggerFactory loggers)
    {
        var session = AwsSessionResolver.Default.Resolve(options);
        var publicAddress = session.EndpointUrl is null ? new CheckIpLookup(CheckIpLookup.SharedHttp, loggers.CreateLogger<CheckIpLookup>()) : null;
        return AwsConnectionFactory.Open(options, session, shell, home, time, loggers, AwsTuning.Default, publicAddress);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await Shell.DisposeAsync().ConfigureAwait(false);
        (Cloud as IDisposable)?.Dispose();
        (Results as IDisposable)?.Dispose();
    }
}
