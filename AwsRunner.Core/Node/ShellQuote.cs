namespace AwsRunner.Core.Node;

/// <summary>Quotes text for bash so that it reaches the command as one word, byte for byte.</summary>
internal static class ShellQuote
{
    /// <summary>Single-quotes the text; a single quote inside becomes <c>'\''</c>.</summary>
    public static string Quote(string text) => "'" + text.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
