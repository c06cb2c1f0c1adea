using AwsRunner.Core.Jobs;

namespace AwsRunner.Core.Dispatch;

/// <summary>
/// The values of a batch's <c>--secret</c>s, read before anything is created: a missing variable or file, or a name
/// no job may have, is bad input.
/// </summary>
internal static class SecretValues
{
    public static IReadOnlyList<KeyValuePair<string, string>> Read(IReadOnlyList<JobSecret> secrets, JobFile jobs, Func<string, string?> environment)
    {
        var values = new List<KeyValuePair<string, string>>();
        foreach (var secret in secrets)
        {
            if (VariableName.Problem(secret.Name) is { } problem)
            {
                throw Invalid(secret, problem);
            }

            if (values.Any(v => v.Key == secret.Name))
            {
                throw Invalid(secret, "given twice");
            }

            if (jobs.VariableNames.Contains(secret.Name, StringComparer.Ordinal))
            {
                throw Invalid(secret, $"{jobs.Path} has a column of that name too; a job would not know which value it got");
            }

            var value = secret.File is null ? FromEnvironment(secret, environment) : FromFile(secret);
            if (value.Contains('\0', StringComparison.Ordinal))
            {
                throw Invalid(secret, "the value holds a NUL character, which no environment variable can");
            }

            values.Add(KeyValuePair.Create(secret.Name, value));
        }

        return values;
    }

    private static string FromEnvironment(JobSecret secret, Func<string, string?> environment) =>
        environment(secret.Name) is { } value
            ? value
            : throw Invalid(secret, $"{secret.Name} is not set in this environment (or give DispatchOptions.Secrets {secret.Name}=FILE to read it from a file)");

    private static string FromFile(JobSecret secret)
    {
        try
        {
            // A file's last newline is how editors end it, not part of a token.
            return File.ReadAllText(secret.File!).TrimEnd('\n');
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw Invalid(secret, $"{secret.File}: file not found");
        }
        catch (UnauthorizedAccessException)
        {
            throw Invalid(secret, $"{secret.File}: cannot be read (permission denied)");
        }
    }

    private static InvalidInputException Invalid(JobSecret secret, string problem) => new("Secret", $"DispatchOptions.Secrets {secret}: {problem}");
}
