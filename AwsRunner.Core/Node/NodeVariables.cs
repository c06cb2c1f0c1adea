using System.Text;

namespace AwsRunner.Core.Node;

/// <summary>
/// What the runner reads into the job's own environment only (a row's variables, in its shard file; <c>secrets</c>: the
/// <c>--secret</c> values): <c>NAME=VALUE</c> entries each ended by a NUL, so a value may hold newlines, quotes or
/// anything but a NUL, and nothing of it is ever parsed as shell.
/// </summary>
internal static class NodeVariables
{
    /// <summary>On the node, in the runner's folder, readable by the job's user only; deleted when the job ends.</summary>
    public const string SecretsFile = "secrets";

    public static string Format(IEnumerable<KeyValuePair<string, string>> variables)
    {
        var text = new StringBuilder();
        foreach (var (name, value) in variables)
        {
            if (value.Contains('\0', StringComparison.Ordinal))
            {
                throw new ArgumentException($"the value of {name} holds a NUL character, which no environment variable can", nameof(variables));
            }

            text.Append(name).Append('=').Append(value).Append('\0');
        }

        return text.ToString();
    }
}
