using System.Globalization;
using Amazon.Runtime;
using Amazon.Runtime.Internal;

namespace AwsRunner.Core.Cloud.Aws;

/// <summary>Hands the Date header of every S3 response, errors' too, to the <see cref="ServerClock"/>.</summary>
internal sealed class ServerDateHandler(ServerClock clock) : PipelineHandler
{
    public override async Task<T> InvokeAsync<T>(IExecutionContext executionContext)
    {
        try
        {
            return await base.InvokeAsync<T>(executionContext).ConfigureAwait(false);
        }
        finally
        {
            Observe(executionContext);
        }
    }

    public override void InvokeSync(IExecutionContext executionContext)
    {
        try
        {
            base.InvokeSync(executionContext);
        }
        finally
        {
            Observe(executionContext);
        }
    }

    private void Observe(IExecutionContext executionContext)
    {
        if (executionContext.ResponseContext?.HttpResponse?.GetHeaderValue("Date") is { Length: > 0 } date
            && DateTimeOffset.TryParse(date, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var sent))
        {
            clock.Observe(sent);
        }
    }
}
