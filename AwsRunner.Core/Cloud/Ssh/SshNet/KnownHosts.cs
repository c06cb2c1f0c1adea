using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace AwsRunner.Core.Cloud.Ssh.SshNet;

/// <summary>
/// A batch's known_hosts, read and written in OpenSSH's format so that <c>ssh</c> reads the same file: one line per
/// host key, <c>ALIAS TYPE BASE64</c>, the alias being the instance id (OpenSSH's HostKeyAlias). Hashed names
/// (<c>|1|salt|hash</c>) are read too. The first key a node shows is recorded; any other key is refused.
/// </summary>
internal sealed class KnownHosts
{
    private const string HashedPrefix = "|1|";

    private readonly Lock gate = new();

    /// <summary>The kinds of host key recorded for the alias (<c>ssh-ed25519</c>, ...), for the key exchange to ask for first.</summary>
    public IReadOnlySet<string> RecordedTypes(string file, string alias)
    {
        lock (gate)
        {
            return Entries(file, alias).Select(e => e.Type).ToHashSet(StringComparer.Ordinal);
        }
    }

    /// <summary>Whether the node may be trusted with this key; on first contact (no key recorded for the alias) it is recorded.</summary>
    /// <param name="file">The batch's known_hosts.</param>
    /// <param name="alias">The instance id.</param>
    /// <param name="hostKey">The key as the server sent it (SSH wire format).</param>
    /// <returns>False when another key is recorded for the alias.</returns>
    public bool TrustOrRecord(string file, string alias, byte[] hostKey)
    {
        var type = KeyType(hostKey);
        var encoded = Convert.ToBase64String(hostKey);
        lock (gate)
        {
            var recorded = Entries(file, alias).ToList();
            if (recorded.Count > 0)
            {
                return recorded.Any(e => e.Type == type && e.Key == encoded);
            }

            var separator = File.Exists(file) && new FileInfo(file).Length > 0 && !File.ReadAllText(file).EndsWith('\n') ? "\n" : "";
            File.AppendAllText(file, $"{separator}{alias} {type} {encoded}\n");
            return true;
        }
    }

    /// <summary>The key's type: the string its wire format starts with.</summary>
    public static string KeyType(byte[] hostKey)
    {
        if (hostKey.Length < 4)
        {
            throw new ArgumentException("not an SSH public key", nameof(hostKey));
        }

        var length = BinaryPrimitives.ReadInt32BigEndian(hostKey);
        return length > 0 && length <= hostKey.Length - 4
            ? Encoding.ASCII.GetString(hostKey, 4, length)
            : throw new ArgumentException("not an SSH public key", nameof(hostKey));
    }

    private static IEnumerable<(string Type, string Key)> Entries(string file, string alias)
    {
        if (!File.Exists(file))
        {
            yield break;
        }

        foreach (var line in File.ReadLines(file))
        {
            var fields = line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            // Markers (@revoked, @cert-authority) and comments are not keys of a host.
            if (fields.Length < 3 || fields[0].StartsWith('#') || fields[0].StartsWith('@'))
            {
                continue;
            }

            if (fields[0].Split(',').Any(name => Names(name, alias)))
            {
                yield return (fields[1], fields[2]);
            }
        }
    }

    private static bool Names(string pattern, string alias)
    {
        if (!pattern.StartsWith(HashedPrefix, StringComparison.Ordinal))
        {
            return pattern == alias;
        }

        var parts = pattern[HashedPrefix.Length..].Split('|');
        try
        {
#pragma warning disable CA5350 // OpenSSH's hashed known_hosts names are HMAC-SHA1 by definition; nothing is protected by it here.
            return parts.Length == 2
                && CryptographicOperations.FixedTimeEquals(
                    HMACSHA1.HashData(Convert.FromBase64String(parts[0]), Encoding.UTF8.GetBytes(alias)),
                    Convert.FromBase64String(parts[1]));
#pragma warning restore CA5350
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
