namespace AwsRunner.Core;

/// <summary>The base of every error awsrunner reports on purpose, with a stable code a program can test.</summary>
public abstract class AwsRunnerException : Exception
{
    /// <summary>Creates the error.</summary>
    /// <param name="code">A stable, machine-readable code such as <c>JobFile</c> or <c>InvalidAMIID.NotFound</c>.</param>
    /// <param name="message">One line for a person: what went wrong and where.</param>
    /// <param name="inner">The error that caused this one, if any.</param>
    protected AwsRunnerException(string code, string message, Exception? inner = null)
        : base(message, inner) => Code = code;

    /// <summary>A stable, machine-readable code for the error.</summary>
    public string Code { get; }
}
