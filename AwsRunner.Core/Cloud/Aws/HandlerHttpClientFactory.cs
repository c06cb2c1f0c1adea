using Amazon.Runtime;

namespace AwsRunner.Core.Cloud.Aws;

/// <summary>Gives an SDK client HTTP clients over a chosen handler (every client of a session the same one).</summary>
internal sealed class HandlerHttpClientFactory(Func<HttpMessageHandler> handler) : HttpClientFactory
{
    public override HttpClient CreateHttpClient(IClientConfig clientConfig) => new(handler(), disposeHandler: true);

    public override bool UseSDKHttpClientCaching(IClientConfig clientConfig) => false;

    public override bool DisposeHttpClientsAfterUse(IClientConfig clientConfig) => false;
}
