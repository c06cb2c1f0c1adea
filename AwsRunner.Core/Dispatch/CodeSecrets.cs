using System.Text;

namespace AwsRunner.Core.Dispatch;

/// <summary>
/// What in a code folder looks like a secret that every node would receive with the code: the default code folder
/// is the job file's, so a job file in a home folder would ship its credentials. Only what is there by accident is
/// looked for, by name, and for key files by what they say they are.
/// </summary>
internal static class CodeSecrets
{
    // The first look of a key file; a private key says so in its armour near the start, a certificate never does.
    private const int KeyHeadBytes = 64 * 1024;

    // .aws: credentials and SSO caches; .ssh: private keys; .gnupg: private keyrings. Found anywhere in the tree, as a
    // copy of a home folder (or a deployment's own .aws) is one step from a leak. .netrc and .git-credentials hold
    // passwords and tokens in plain text.
    private static readonly Dictionary<string, string> Folders = new(StringComparer.Ordinal)
    {
        [".aws"] = "AWS credentials",
        [".ssh"] = "SSH keys",
        [".gnupg"] = "GnuPG keys",
    };

    private static readonly Dictionary<string, string> Files = new(StringComparer.Ordinal)
    {
        [".netrc"] = "login passwords",
        [".git-credentials"] = "git passwords and tokens",
    };

    // Key files are named *.pem, *.key, *.ppk or id_* (id_rsa, id_ed25519, ...; their *.pub halves are public), but
    // so are public certificates (certifi's cacert.pem is in every Python virtualenv) and code (id_utils.py): such a
    // file counts as a key when it says it is one, as PEM private keys of every kind and PuTTY keys do.
    private static readonly string[] KeySuffixes = [".pem", ".key", ".ppk"];
    private static readonly string[] KeyMarks = ["PRIVATE KEY-----", "PuTTY-User-Key-File-"];

    /// <summary>What secret <paramref name="entry"/> holds, or null when it looks like none.</summary>
    /// <param name="entry">A file, folder or link of the code folder.</param>
    /// <param name="home">The awsrunner home: batch keys and known hosts.</param>
    public static string? Problem(FileSystemInfo entry, string home)
    {
        // A link goes as a link, not as what it points to.
        if (entry.LinkTarget is not null)
        {
            return null;
        }

        if (entry is DirectoryInfo folder)
        {
            return SamePath(folder.FullName, home) ? "the awsrunner home (batch keys)"
                : Folders.TryGetValue(folder.Name, out var what) ? $"{what} ({folder.Name}/)"
                : null;
        }

        return Files.TryGetValue(entry.Name, out var secret) ? $"{secret} ({entry.Name})"
            : IsKeyName(entry.Name) && SaysItIsAKey((FileInfo)entry) ? "a private key"
            : null;
    }

    public static bool SamePath(string a, string b) =>
        string.Equals(Path.TrimEndingDirectorySeparator(Path.GetFullPath(a)), Path.TrimEndingDirectorySeparator(Path.GetFullPath(b)), StringComparison.Ordinal);

    private static bool IsKeyName(string name) =>
        KeySuffixes.Any(s => name.EndsWith(s, StringComparison.OrdinalIgnoreCase))
        || (name.StartsWith("id_", StringComparison.Ordinal) && !name.EndsWith(".pub", StringComparison.Ordinal));

    private static bool SaysItIsAKey(FileInfo file)
    {
        using var stream = file.OpenRead();
        var head = new byte[KeyHeadBytes];
        var read = stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        var text = Encoding.Latin1.GetString(head, 0, read);
        return KeyMarks.Any(mark => text.Contains(mark, StringComparison.Ordinal));
    }
}
