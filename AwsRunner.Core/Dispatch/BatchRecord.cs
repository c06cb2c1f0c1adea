using AwsRunner.Core.Cloud;

namespace AwsRunner.Core.Dispatch;

/// <summary>
/// What this machine remembers of a batch (<c>$AWSRUNNER_HOME/NAME/batch.json</c>), so that status, fetch and
/// down find its cloud, bucket and transport from a new process.
/// </summary>
/// <param name="Name">The batch's NAME.</param>
/// <param name="Cloud">The cloud it was created on.</param>
/// <param name="Bucket">Its bucket.</param>
/// <param name="Region">Its region, on AWS.</param>
/// <param name="EndpointUrl">The endpoint it was created through, when not AWS's own.</param>
/// <param name="Transport">How its nodes were reached (as the node shells described it), so that later commands reach them the same way.</param>
public sealed record BatchRecord(
    string Name,
    string Cloud,
    string Bucket,
    string? Region = null,
    string? EndpointUrl = null,
    ShellTransport? Transport = null);
