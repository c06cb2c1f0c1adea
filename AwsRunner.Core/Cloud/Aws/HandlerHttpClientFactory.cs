using Amazon.Runtime;

namespace AwsRunner.Core.Cloud.Aws;

/// <summary>Gives the S3 client HTTP clients over a chosen handler, the same one the EC2 client uses.</summary>
internal sealed class HandlerHttpClientFactory(Func<HttpMessageHandler> handler) : HttpClientFactory
{
    public override HttpClient CreateHttpClient(IClientConfig clientConfig) => new(handler(), disposeHandler: true);

    public override bool UseSDKHttpClientCaching(IClientConfig clientConfig) => false;

    public override bool DisposeHttpClientsAfterUse(IClientConfig clientConfig) => false;
}
