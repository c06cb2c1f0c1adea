namespace AwsRunner.Core;

/// <summary>
/// Input the user can fix: a bad job file, name, option or path. Raised before anything is created.
/// </summary>
public sealed class InvalidInputException : AwsRunnerException
{
    /// <summary>Creates the error.</summary>
    /// <param name="code">A stable code, such as <c>JobFile</c> or <c>Name</c>.</param>
    /// <param name="message">One line that says what is wrong and where (file:line where there is one).</param>
    public InvalidInputException(string code, string message)
        : base(code, message)
    {
    }
}
