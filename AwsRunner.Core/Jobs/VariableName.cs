using System.Text.RegularExpressions;

namespace AwsRunner.Core.Jobs;

/// <summary>
/// What an extra column of the job file may be called: it becomes a variable in its job's environment, so it must be
/// a shell identifier that neither awsrunner nor the node's shell already owns. The job file and the batch manifest
/// read back from the bucket are both held to these rules.
/// </summary>
internal static partial class VariableName
{
    private const string ReservedPrefix = "AWSRUNNER_";

    // The names the node's shell owns, by family. A row's variables are in its job's environment, and a value for
    // one of these would break the shell that runs the job's command (and every tool it calls), not the job's code:
    // PATH and the loader's LD_* decide which programs and libraries run at all; HOME, USER, LOGNAME, SHELL, PWD and
    // OLDPWD are how the shell, ssh, curl, git and ~ find their files and their user; bash and sh run the file named
    // by BASH_ENV or ENV before the command, SHELLOPTS and BASHOPTS switch options such as errexit or noclobber on
    // in every shell the job starts, and BASH_* is bash's own state; IFS, CDPATH, GLOBIGNORE, POSIXLY_CORRECT, PS4
    // (expanded, command substitutions and all, under set -x) and TMOUT (a timeout on every read) change how bash
    // reads every command; and bash sets UID, RANDOM, SECONDS and the like itself (some read-only), so the job would
    // never see the row's value. TERM, TMPDIR, LANG and LC_* stay allowed: a job may well want to set them, and
    // they break nothing of the shell. Shell names are case-sensitive, so a column "path" or "home" is fine.
    private static readonly Family[] ShellOwned =
    [
        new("it says where every command of the job is found and loaded from", ["PATH"], ["LD_"]),
        new("the shell and the tools it calls find their home, user and folder by it", ["HOME", "USER", "LOGNAME", "SHELL", "PWD", "OLDPWD"], []),
        new("bash reads it as it starts, before the job's command", ["BASH_ENV", "ENV", "SHELLOPTS", "BASHOPTS"], ["BASH_"]),
        new("it changes how bash reads every command of the job", ["IFS", "CDPATH", "GLOBIGNORE", "POSIXLY_CORRECT", "PS4", "TMOUT"], []),
        new("bash sets it itself, so the job would never see the row's value",
            ["BASH", "BASHPID", "UID", "EUID", "PPID", "SHLVL", "LINENO", "RANDOM", "SRANDOM", "SECONDS", "EPOCHSECONDS", "EPOCHREALTIME", "HOSTTYPE", "MACHTYPE", "OSTYPE"], []),
    ];

    /// <summary>What is wrong with a column name as a variable name, or null when it is a good one.</summary>
    public static string? Problem(string name)
    {
        if (name.Length == 0)
        {
            return "empty column name; every extra column names a variable";
        }

        if (!ShellIdentifier().IsMatch(name))
        {
            return "not a valid shell variable name (letters, digits and _, not starting with a digit); extra columns become environment variables";
        }

        if (name.StartsWith(ReservedPrefix, StringComparison.OrdinalIgnoreCase))
        {
            return $"names starting with {ReservedPrefix} are reserved for awsrunner";
        }

        var family = ShellOwned.FirstOrDefault(f => f.Owns(name));
        return family is null
            ? null
            : $"{name} belongs to the node's shell: {family.Reason}; give the column another name (names are case-sensitive: {name.ToLowerInvariant()} is fine)";
    }

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex ShellIdentifier();

    private sealed record Family(string Reason, string[] Names, string[] Prefixes)
    {
        public bool Owns(string name) =>
            Names.Contains(name, StringComparer.Ordinal) || Prefixes.Any(p => name.StartsWith(p, StringComparison.Ordinal));
    }
}
