namespace AwsRunner.Core;

/// <summary>
/// A failure of the cloud or of a node: an API error, an unreachable node, a failed remote command.
/// </summary>
public sealed class CloudException : AwsRunnerException
{
    /// <summary>Creates the error.</summary>
    /// <param name="code">The provider's error code (for AWS, its own code such as <c>AuthFailure</c>).</param>
    /// <param name="attempting">What awsrunner was doing, completing "Error attempting to ...".</param>
    /// <param name="detail">The provider's own message.</param>
    /// <param name="requestId">The provider's request id, when it gave one.</param>
    /// <param name="hint">What the user can do next, when awsrunner knows.</param>
    /// <param name="inner">The underlying error.</param>
    public CloudException(string code, string attempting, string detail, string? requestId = null, string? hint = null, Exception? inner = null)
        : base(code, $"Error attempting to {attempting}: {detail}" + (code.Length > 0 ? $" ({code})" : ""), inner)
    {
        Attempting = attempting;
        Detail = detail;
        RequestId = requestId;
        Hint = hint;
    }

    /// <summary>What awsrunner was doing when the error happened.</summary>
    public string Attempting { get; }

    /// <summary>The provider's own message.</summary>
    public string Detail { get; }

    /// <summary>The provider's request id, if it gave one.</summary>
    public string? RequestId { get; }

    /// <summary>What the user can do next, when known.</summary>
    public string? Hint { get; }
}
