using Amazon.Runtime;
using Amazon.Runtime.Internal;
using Amazon.S3;

namespace AwsRunner.Core.Cloud.Aws;

/// <summary>The S3 client, telling its <see cref="ServerClock"/> the time of every response.</summary>
internal sealed class ClockedS3Client(AWSCredentials credentials, AmazonS3Config config, ServerClock clock) : AmazonS3Client(credentials, config)
{
    public ServerClock Clock => clock;

    protected override void CustomizeRuntimePipeline(RuntimePipeline pipeline)
    {
        base.CustomizeRuntimePipeline(pipeline);
        pipeline.AddHandler(new ServerDateHandler(clock));
    }
}
