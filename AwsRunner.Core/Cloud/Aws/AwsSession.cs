using Amazon;
using Amazon.Runtime;

namespace AwsRunner.Core.Cloud.Aws;

/// <summary>Who calls AWS, where: the region, the credentials and the endpoint if not AWS's own.</summary>
/// <param name="Region">The region's system name, such as <c>eu-west-1</c>.</param>
/// <param name="Credentials">Credentials from the SDK's chain or a profile.</param>
/// <param name="EndpointUrl">An emulator's endpoint for both EC2 and S3, or null for AWS.</param>
internal sealed record AwsSession(string Region, AWSCredentials Credentials, Uri? EndpointUrl)
{
    /// <summary>Sits under every HTTP call to AWS when set (tests count and answer calls with it).</summary>
    public Func<HttpMessageHandler>? Handler { get; init; }

    public RegionEndpoint RegionEndpoint => RegionEndpoint.GetBySystemName(Region);

    /// <summary>The ARN partition (<c>aws</c>, <c>aws-cn</c>, <c>aws-us-gov</c>).</summary>
    public string Partition => RegionEndpoint.PartitionName ?? "aws";

    public HttpClient CreateHttpClient() => Handler is { } handler ? new HttpClient(handler(), disposeHandler: true) : new HttpClient();
}
