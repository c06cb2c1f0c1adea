using AwsRunner.Core.Node;

namespace AwsRunner.Core.Dispatch;

/// <summary>
/// A path on a job's node as the user gives it, as the node shells take it (relative to the node's home): relative
/// paths are relative to the job's code folder, <c>~/</c> starts at the home, absolute paths stay.
/// </summary>
internal static class JobPath
{
    public static string OnNode(string? path) => path switch
    {
        null or "" or "." => NodeRunnerScript.CodeFolder,
        "~" => ".",
        _ when path.StartsWith("~/", StringComparison.Ordinal) => path[2..].Length == 0 ? "." : path[2..],
        _ when path.StartsWith('/') => path,
        _ => NodeRunnerScript.CodeFolder + "/" + path,
    };
}
