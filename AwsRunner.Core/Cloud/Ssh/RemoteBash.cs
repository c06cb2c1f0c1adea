using AwsRunner.Core.Node;

namespace AwsRunner.Core.Cloud.Ssh;

/// <summary>
/// A command line run by bash whatever the node's login shell is (dash, zsh, ...): SSH hands a command to the login
/// shell, so the outer line keeps to POSIX sh.
/// </summary>
internal static class RemoteBash
{
    public static string Command(string command) => "bash -c " + ShellQuote.Quote(command);

    /// <summary>Replaces the login shell with bash running the command, so that a signal sent to the session reaches it.</summary>
    public static string Exec(string command) => "exec " + Command(command);

    /// <summary>
    /// The command run by bash with its standard input from the session, after the session's first byte, which is
    /// dropped: SSH.NET ends a command's input (EOF) only once it has sent some, so awsrunner always sends one more.
    /// dd reads exactly that byte, where a buffered reader might take the command's input with it.
    /// </summary>
    public static string AfterFirstByte(string command) => "dd bs=1 count=1 of=/dev/null 2>/dev/null; exec " + Command(command);

    /// <summary>The command run by bash with no input at all, as <c>ssh -T</c> with a closed standard input gives it.</summary>
    public static string WithoutInput(string command) => Command(command) + " < /dev/null";

    /// <summary>Whether the path on the node is a folder, as a command whose exit code says so (0 yes, 1 no).</summary>
    public static string IsFolder(string remotePath) => "test -d " + ShellQuote.Quote(remotePath);

    /// <summary>
    /// Makes the folders a copy to <paramref name="remotePath"/> needs, as <c>rsync --mkpath</c> does: its parent, or
    /// the path itself when it ends with a slash (a folder to copy into). Null when there is none to make.
    /// </summary>
    public static string? MakeFoldersFor(string remotePath) => FoldersFor(remotePath) is { } folder ? MakeFolder(folder) : null;

    /// <summary>The folder a copy to <paramref name="remotePath"/> needs: its parent, or itself when it ends with a slash.</summary>
    public static string? FoldersFor(string remotePath)
    {
        if (remotePath.EndsWith('/'))
        {
            return remotePath.TrimEnd('/') is { Length: > 0 } folder ? folder : null;
        }

        var slash = remotePath.LastIndexOf('/');
        return slash > 0 ? remotePath[..slash] : null;
    }

    /// <summary>Makes the folder on the node, with its parents.</summary>
    public static string MakeFolder(string remotePath) => "mkdir -p -- " + ShellQuote.Quote(remotePath);
}
