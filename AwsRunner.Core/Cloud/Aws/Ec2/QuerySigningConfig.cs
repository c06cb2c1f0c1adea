using Amazon.Runtime;
using Amazon.Runtime.Endpoints;
using Amazon.Runtime.Internal;

namespace AwsRunner.Core.Cloud.Aws.Ec2;

/// <summary>
/// What <see cref="Amazon.Runtime.Internal.Auth.AWS4Signer"/> reads to scope a signature: the service name and region.
/// Without the service name the scope is wrong and AWS (or moto) cannot tell which service is called.
/// </summary>
internal sealed class QuerySigningConfig : ClientConfig
{
    private static readonly IDefaultConfiguration[] Defaults =
    [
        new DefaultConfiguration { Name = DefaultConfigurationMode.Standard, RetryMode = RequestRetryMode.Standard },
    ];

    private readonly string service;
    private readonly string version;

    public QuerySigningConfig(string service, string version, string region, Uri endpoint)
        : base(new DefaultConfigurationProvider(Defaults))
    {
        this.service = service;
        this.version = version;
        AuthenticationServiceName = service;
        AuthenticationRegion = region;
        ServiceURL = endpoint.ToString();
    }

    public override string RegionEndpointServiceName => service;

    public override string ServiceVersion => version;

    public override string UserAgent => "awsrunner";

    public override Endpoint DetermineServiceOperationEndpoint(ServiceOperationEndpointParameters parameters) => new(ServiceURL);
}
