using AwsRunner.Core.Cloud.Ssh;
using Microsoft.Extensions.Logging;

namespace AwsRunner.Core.Cloud.Aws;

/// <summary>Opens the AWS cloud: EC2 and S3, reached with the SDK's credentials and the options' region.</summary>
public static class AwsCloudConnection
{
    /// <summary>The AWS cloud's connection, its nodes reached over SSH as <paramref name="ssh"/> says. Nothing is called on AWS until it is used.</summary>
    /// <param name="options">Region, profile, endpoint and launch settings.</param>
    /// <param name="ssh">How to reach the nodes: in process, through a SOCKS5 proxy, or with the system's OpenSSH client.</param>
    /// <param name="home">The awsrunner home (<c>$AWSRUNNER_HOME</c>): batch key pairs and known hosts are saved under it.</param>
    /// <param name="time">The clock that retries and waits run on.</param>
    /// <param name="loggers">Where the cloud logs.</param>
    /// <returns>The connection.</returns>
    /// <exception cref="InvalidInputException">No region, a malformed region or endpoint, or an SSH option is wrong.</exception>
    /// <exception cref="CloudException">No credentials could be found.</exception>
    public static CloudConnection Open(AwsCloudOptions options, SshOptions ssh, string home, TimeProvider time, ILoggerFactory loggers) =>
        Open(options, SshTransports.Open(ssh, home, time, loggers), home, time, loggers);

    /// <summary>The AWS cloud's connection, with the node shells given (a test double, or shells opened apart).</summary>
    internal static CloudConnection Open(AwsCloudOptions options, INodeShell shell, string home, TimeProvider time, ILoggerFactory loggers)
    {
        var session = AwsSessionResolver.Default.Resolve(options);
        var publicAddress = session.EndpointUrl is null ? new CheckIpLookup(CheckIpLookup.SharedHttp, loggers.CreateLogger<CheckIpLookup>()) : null;
        return AwsConnectionFactory.Open(options, session, shell, home, time, loggers, AwsTuning.Default, publicAddress);
    }
}
