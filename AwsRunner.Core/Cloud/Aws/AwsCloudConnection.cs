using Microsoft.Extensions.Logging;

namespace AwsRunner.Core.Cloud.Aws;

/// <summary>Opens the AWS cloud: EC2 and S3, reached with the SDK's credentials and the options' region.</summary>
public static class AwsCloudConnection
{
    /// <summary>The AWS cloud's connection. Nothing is called on AWS until a port is used.</summary>
    /// <param name="options">Region, profile, endpoint and launch settings.</param>
    /// <param name="shell">How to reach the nodes (one of the SSH transports), supplied by the caller.</param>
    /// <param name="home">The awsrunner home (<c>$AWSRUNNER_HOME</c>): batch key pairs are saved under it.</param>
    /// <param name="time">The clock that retries and waits run on.</param>
    /// <param name="loggers">Where the cloud logs.</param>
    /// <returns>The connection.</returns>
    /// <exception cref="InvalidInputException">No region, or a malformed region or endpoint.</exception>
    /// <exception cref="CloudException">No credentials could be found.</exception>
    public static CloudConnection Open(AwsCloudOptions options, INodeShell shell, string home, TimeProvider time, ILoggerFactory loggers)
    {
        var session = AwsSessionResolver.Default.Resolve(options);
        var publicAddress = session.EndpointUrl is null ? new CheckIpLookup(CheckIpLookup.SharedHttp, loggers.CreateLogger<CheckIpLookup>()) : null;
        return AwsConnectionFactory.Open(options, session, shell, home, time, loggers, AwsTuning.Default, publicAddress);
    }
}
