using Amazon.EC2;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.SecurityToken;

namespace AwsRunner.Core.Cloud.Aws;

/// <summary>
/// The AWSSDK clients of a session, configured alike: the session's credentials, its region (the SDK resolves AWS's
/// endpoints from it) or its emulator endpoint, and the session's HTTP handler when one is set (tests record and answer
/// calls with it, under the SDK's own marshalling and unmarshalling).
/// </summary>
internal static class SdkClients
{
    public static AmazonEC2Client Ec2(AwsSession session) => new(session.Credentials, Configure(new AmazonEC2Config(), session));

    /// <summary>An S3 client that tells <paramref name="clock"/> (when given) S3's time with every response.</summary>
    public static ClockedS3Client S3(AwsSession session, ServerClock? clock = null)
    {
        var config = new AmazonS3Config
        {
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
            // An emulator is reached by its address, not by a bucket's host name.
            ForcePathStyle = session.EndpointUrl is not null,
        };
        return new ClockedS3Client(session.Credentials, Configure(config, session), clock ?? new ServerClock(TimeProvider.System));
    }

    public static AmazonSecurityTokenServiceClient Sts(AwsSession session) =>
        new(session.Credentials, Configure(new AmazonSecurityTokenServiceConfig(), session));

    private static T Configure<T>(T config, AwsSession session)
        where T : ClientConfig
    {
        // One retry policy for every AWS call, AwsRetry's: it runs on the injected clock (so retry tests take no time)
        // and sees every attempt. The SDK's own retries under it would multiply the attempts and wait on the real clock.
        config.MaxErrorRetry = 0;
        if (session.EndpointUrl is { } endpoint)
        {
            config.ServiceURL = endpoint.ToString();
            config.AuthenticationRegion = session.Region;
        }
        else
        {
            config.RegionEndpoint = session.RegionEndpoint;
        }

        if (session.Handler is { } handler)
        {
            config.HttpClientFactory = new HandlerHttpClientFactory(handler);
        }

        return config;
    }
}
