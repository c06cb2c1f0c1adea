using System.Net;

namespace AwsRunner.Core.Cloud.Aws.Ec2;

/// <summary>
/// An error answer of an AWS API, with what AWS said about it kept whole: how every <see cref="IEc2Api"/>
/// implementation reports AWS errors, whatever client it is built on.
/// </summary>
internal sealed class AwsApiException(string action, HttpStatusCode status, string code, string awsMessage, string? requestId)
    : Exception($"{action}: {code}: {awsMessage}")
{
    public string Action { get; } = action;

    public HttpStatusCode Status { get; } = status;

    public string Code { get; } = code;

    public string AwsMessage { get; } = awsMessage;

    public string? RequestId { get; } = requestId;
}
