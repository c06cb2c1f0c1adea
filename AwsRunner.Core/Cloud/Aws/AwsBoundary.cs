using System.Text.RegularExpressions;
using Amazon.Runtime;
using Microsoft.Extensions.Logging;

namespace AwsRunner.Core.Cloud.Aws;

/// <summary>
/// Where AWS errors become awsrunner's: every call out of the AWS cloud goes through here, so what the user sees is
/// "Error attempting to ...", AWS's own code, message and request id, and a hint for the common causes.
/// </summary>
internal sealed partial class AwsBoundary(string region, ILogger logger)
{
    public const string NoCredentials = "NoCredentials";

    public async Task<T> RunAsync<T>(string attempting, Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken)
    {
        LogAttempt(logger, attempting);
        try
        {
            return await call(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is AmazonServiceException or AmazonClientException or HttpRequestException)
        {
            throw Translate(e, attempting);
        }
    }

    public Task RunAsync(string attempting, Func<CancellationToken, Task> call, CancellationToken cancellationToken) =>
        RunAsync(attempting, async token =>
        {
            await call(token).ConfigureAwait(false);
            return true;
        }, cancellationToken);

    public AwsRunnerException Translate(Exception exception, string attempting)
    {
        var (code, message, requestId) = exception switch
        {
            AmazonServiceException e => (e.ErrorCode ?? $"Http{(int)e.StatusCode}", ServiceMessage(e), e.RequestId),
            AmazonClientException e when e.Message.Contains("credential", StringComparison.OrdinalIgnoreCase) => (NoCredentials, e.Message, null),
            AmazonClientException e => ("ClientError", e.Message, null),
            HttpRequestException e => ("Unreachable", e.Message, null),
            _ => (exception.GetType().Name, exception.Message, (string?)null),
        };

        if (code.StartsWith("InvalidAMIID.", StringComparison.Ordinal))
        {
            return ImageProblem(code, message);
        }

        if (code == "InvalidInstanceType")
        {
            return InstanceTypeProblem(message);
        }

        if (code == "InvalidSubnetID.NotFound")
        {
            return new InvalidInputException(code, $"AwsCloudOptions.SubnetId: {message} in region {region} ({code})");
        }

        if (code == "InvalidKeyPair.Format")
        {
            return new InvalidInputException(code, $"AwsCloudOptions.KeyFile: AWS cannot use its public half: {message} ({code}); give an ed25519 or RSA key made by ssh-keygen");
        }

        return new CloudException(code, attempting, message, requestId, Hint(code, message), exception);
    }

    /// <summary>An image the region does not have is the user's to fix, before anything is created.</summary>
    public InvalidInputException ImageProblem(string code, string message) =>
        new(code, $"{message} in region {region} ({code}); AMI ids differ from region to region: " +
            $"check it with: aws ec2 describe-images --region {region} --image-ids <AMI>");

    /// <summary>An instance type the region does not offer is the job file's to fix.</summary>
    public InvalidInputException InstanceTypeProblem(string message) =>
        new("InvalidInstanceType", $"{message} in region {region} (InvalidInstanceType); " +
            $"list the region's types with: aws ec2 describe-instance-types --region {region} --query 'InstanceTypes[].InstanceType'");

    public string? Hint(string code, string message) => code switch
    {
        NoCredentials => "no AWS credentials were found: run 'aws configure' (or 'aws sso login'), set AWS_PROFILE, or pass AwsCloudOptions.Profile",
        "AuthFailure" or "InvalidClientTokenId" or "SignatureDoesNotMatch" or "InvalidAccessKeyId" or "ExpiredToken" or "RequestExpired" =>
            "AWS refused the credentials: check the access key (or sign in again with 'aws sso login'), that the region " +
            $"{region} is enabled for the account, and that this machine's clock is right",
        "UnauthorizedOperation" or "AccessDenied" or "Http403" => MissingAction(message) is { } action
            ? $"your IAM identity may not call {action}: add it to its policy (docs/aws.md lists every action awsrunner uses)"
            : "your IAM identity lacks a permission for this call: docs/aws.md lists every action awsrunner uses; " +
              "'aws sts decode-authorization-message' decodes an encoded failure message",
        "InstanceLimitExceeded" =>
            "the account's limit on running instances is reached: terminate idle ones ('awsrunner status' lists forgotten batches) " +
            "or ask for a higher quota in Service Quotas",
        "InsufficientInstanceCapacity" =>
            "AWS has no spare capacity of this instance type in that zone just now: try again later, another instance type, " +
            "or another zone with AwsCloudOptions.SubnetId",
        "VcpuLimitExceeded" =>
            "the account's vCPU quota for this instance family is reached: ask for an increase in Service Quotas " +
            "(EC2, Running On-Demand instances), or run fewer or smaller instances",
        "BucketAlreadyExists" =>
            "bucket names are shared by every AWS account and this one is taken by another: choose another NAME, or give a bucket of yours with DispatchOptions.Bucket",
        "RequestLimitExceeded" or "SlowDown" or "Throttling" => "AWS kept throttling the requests: wait a minute and run the command again",
        "Unreachable" => "check the network, AwsCloudOptions.Region and AwsCloudOptions.EndpointUrl",
        _ => null,
    };

    private static string ServiceMessage(AmazonServiceException e) =>
        string.IsNullOrEmpty(e.Message) ? $"HTTP {(int)e.StatusCode} {e.StatusCode}" : e.Message;

    /// <summary>AWS names the refused action in its message: "... is not authorized to perform: ec2:RunInstances on resource ...".</summary>
    private static string? MissingAction(string message) =>
        ActionPattern().Match(message) is { Success: true } match ? match.Groups[1].Value : null;

    [GeneratedRegex(@"perform: ([a-z0-9-]+:[A-Za-z0-9*]+)")]
    private static partial Regex ActionPattern();

    [LoggerMessage(Level = LogLevel.Debug, Message = "AWS: {Attempting}")]
    private static partial void LogAttempt(ILogger logger, string attempting);
}
