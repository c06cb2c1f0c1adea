using System.Text;

namespace AwsRunner.Core.Node;

/// <summary>
/// The names (and the one time limit) the node runner and awsrunner share, declared once here and handed to the script as read-only shell
/// variables at the top of its text, so that renaming one is one change on both sides.
/// </summary>
internal static class NodeContract
{
    /// <summary>
    /// The node runner's version, raised whenever what it writes or understands changes: the ledger records the version
    /// each node was given, so that a node with an older runner is recognised.
    /// </summary>
    public const int RunnerVersion = 2;

    /// <summary>Shell name and value of every shared name, as the script declares them.</summary>
    public static IReadOnlyList<(string Name, string Value)> Names { get; } =
    [
        ("FILE_JOB_ENV", NodeRunnerScript.JobEnvFile),
        ("FILE_URLS", NodeRunnerScript.UrlsEnvFile),
        ("FILE_VARS", NodeVariables.VariablesFile),
        ("FILE_SECRETS", NodeVariables.SecretsFile),
        ("DEADLINE_UPLOAD_SECONDS", ((long)Dispatch.NodeDeadline.LastUpload.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture)),
    ];

    // A script's line where the declarations go.
    private const string Marker = "#@CONTRACT@";

    /// <summary>A script's text with the declarations at its marker line.</summary>
    public static string Declare(string script) => script.Replace(Marker, Prelude, StringComparison.Ordinal);

    /// <summary>The declarations that replace the script's marker line.</summary>
    public static string Prelude
    {
        get
        {
            var text = new StringBuilder("# Names shared with awsrunner (NodeContract.cs), declared there.\n");
            foreach (var (name, value) in Names)
            {
                text.Append("readonly ").Append(name).Append('=').Append(ShellQuote.Quote(value)).Append('\n');
            }

            return text.ToString().TrimEnd('\n');
        }
    }
}
