using System.Net;

namespace AwsRunner.Core.Cloud.Aws.Ec2;

/// <summary>An error answer of a Query-protocol AWS API, with what AWS said about it kept whole.</summary>
internal sealed class AwsQueryException(string action, HttpStatusCode status, string code, string awsMessage, string? requestId)
    : Exception($"{action}: {code}: {awsMessage}")
{
    public string Action { get; } = action;

    public HttpStatusCode Status { get; } = status;

    public string Code { get; } = code;

    public string AwsMessage { get; } = awsMessage;

    public string? RequestId { get; } = requestId;
}
