using AwsRunner.Core.Cloud.Aws.Ec2;
using Microsoft.Extensions.Logging;

namespace AwsRunner.Core.Cloud.Aws;

/// <summary>Puts the AWS cloud together: one retry policy, one error boundary and one session for EC2 and S3.</summary>
internal static class AwsConnectionFactory
{
    public static CloudConnection Open(
        AwsCloudOptions options,
        AwsSession session,
        INodeShell shell,
        string home,
        TimeProvider time,
        ILoggerFactory loggers,
        AwsTuning tuning,
        IPublicAddressLookup? publicAddress)
    {
        var boundary = new AwsBoundary(session.Region, loggers.CreateLogger<AwsBoundary>());
        var retry = AwsRetry.Create(tuning, time, loggers.CreateLogger(typeof(AwsRetry).FullName!));
        var ec2 = new Ec2Client(SdkClients.Ec2(session), retry, tuning.Ec2PageSize, loggers.CreateLogger<Ec2Client>());
        var sshSource = new SshSource(options.SshCidr, session.EndpointUrl is not null, publicAddress);
        // S3's clock, which the results' times are on; the launch fixes the boothook's power-off on it too.
        var serverClock = new ServerClock(time);
        var cloud = new AwsCloud(
            ec2,
            boundary,
            new BatchKeyPair(ec2, home, options.KeyFile, loggers.CreateLogger<BatchKeyPair>()),
            new BatchSecurityGroup(ec2, sshSource, options.SubnetId, tuning, time, loggers.CreateLogger<BatchSecurityGroup>()),
            sshSource,
            new BatchLauncher(ec2, options, serverClock, loggers.CreateLogger<BatchLauncher>()),
            tuning,
            time,
            loggers.CreateLogger<AwsCloud>());
        var results = new S3ResultStore(
            SdkClients.S3(session, serverClock),
            serverClock,
            session.CreateHttpClient(),
            session,
            new CallerAccount(SdkClients.Sts(session), retry),
            new CredentialLifetime(session.Credentials, Environment.GetEnvironmentVariable, time),
            boundary,
            retry,
            tuning,
            time,
            loggers.CreateLogger<S3ResultStore>());
        return new CloudConnection("aws", cloud, shell, results)
        {
            Region = session.Region,
            EndpointUrl = session.EndpointUrl?.ToString(),
        };
    }
}
