using System.Globalization;
using System.Text.RegularExpressions;

namespace AwsRunner.Core.Cloud.Ssh.OpenSsh;

/// <summary>
/// Makes a remote command report its exit status on a last line of its error output. ssh exits 255 both when it
/// fails itself and when the command does; the trailer tells the two apart, and its absence shows that the command
/// never finished.
/// </summary>
internal static partial class ExitStatusTrailer
{
    private const string Marker = "awsrunner-remote-exit-status=";

    /// <summary>The command run by bash (<see cref="RemoteBash"/>), followed by the trailer.</summary>
    public static string Wrap(string command) =>
        $"{RemoteBash.Command(command)}; printf '\\n{Marker}%s\\n' \"$?\" >&2";

    /// <summary>Takes the trailer off a finished command's error output.</summary>
    /// <returns>The command's own result, or null when the trailer is missing.</returns>
    public static ShellResult? Remove(ShellResult raw)
    {
        var match = Trailer().Match(raw.Error);
        return match.Success
            ? new ShellResult(int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture), raw.Output, raw.Error[..match.Index])
            : null;
    }

    [GeneratedRegex("\n" + Marker + @"(\d{1,3})\n\z")]
    private static partial Regex Trailer();
}
