namespace AwsRunner.Core.Dispatch;

/// <summary>
/// What this machine remembers of a batch (<c>$AWSRUNNER_HOME/NAME/batch.json</c>), so that status, fetch and
/// down find its cloud and bucket from a new process.
/// </summary>
/// <param name="Name">The batch's NAME.</param>
/// <param name="Cloud">The cloud it was created on.</param>
/// <param name="Bucket">Its bucket.</param>
/// <param name="Region">Its region, on AWS.</param>
/// <param name="EndpointUrl">The endpoint it was created through, when not AWS's own.</param>
/// <param name="SshUser">The login name its nodes were reached with over SSH, when they were.</param>
/// <param name="SshConfig">The ssh_config file (full path) its nodes were reached through, if any.</param>
public sealed record BatchRecord(
    string Name,
    string Cloud,
    string Bucket,
    string? Region = null,
    string? EndpointUrl = null,
    string? SshUser = null,
    string? SshConfig = null);
