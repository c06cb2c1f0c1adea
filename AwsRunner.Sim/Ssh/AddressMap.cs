using System.Text;
using AwsRunner.Core;
using AwsRunner.Core.Node;

namespace AwsRunner.Sim.Ssh;

/// <summary>
/// Where the fleet's instances answer SSH: a map of addresses to sshd ports on 127.0.0.1, which the SOCKS5 endpoint
/// reads, and the ssh_config a client of the fleet is given (<c>ssh -F</c>, awsrunner's <c>--ssh-config</c>): for
/// every host, a ProxyCommand that looks the instance's address up in the map and connects there, and nowhere else.
/// Host key checking stays the client's own business.
/// </summary>
internal sealed class AddressMap
{
    private const UnixFileMode Executable =
        UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute
        | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;

    private readonly Dictionary<string, int> ports = new(StringComparer.Ordinal);
    private readonly Lock gate = new();

    public AddressMap(string folder)
    {
        SshConfig = Path.Combine(folder, "ssh_config");
        MapFile = Path.Combine(folder, "ports");
        Proxy = Path.Combine(folder, "proxy.sh");
    }

    public string SshConfig { get; }

    /// <summary>One <c>ADDRESS PORT</c> a line; the proxy reads it next to itself.</summary>
    public string MapFile { get; }

    public string Proxy { get; }

    public void WriteFiles()
    {
        File.WriteAllText(Proxy, EmbeddedText.Read(typeof(AddressMap).Assembly, "AwsRunner.Sim.Scripts.proxy.sh"));
        File.SetUnixFileMode(Proxy, Executable);
        Save();
        // ssh runs a ProxyCommand with the user's shell and expands %-tokens in it first.
        var proxy = ShellQuote.Quote(Proxy).Replace("%", "%%", StringComparison.Ordinal);
        File.WriteAllText(SshConfig, $"""
            # The simulated fleet (AwsRunner.Sim): the address of every instance it runs leads to that instance's own sshd on
            # 127.0.0.1, through {Path.GetFileName(Proxy)} and the map in {Path.GetFileName(MapFile)}; any other address is refused.
            Host *
                ProxyCommand /bin/bash {proxy} %h %p

            """.ReplaceLineEndings("\n"));
    }

    /// <summary>The sshd port of the node at the address, or null when no running node has it.</summary>
    public int? PortOf(string address)
    {
        lock (gate)
        {
            return ports.TryGetValue(address, out var port) ? port : null;
        }
    }

    public void Add(IEnumerable<string> addresses, int port)
    {
        lock (gate)
        {
            foreach (var address in addresses)
            {
                ports[address] = port;
            }

            Save();
        }
    }

    public void Remove(IEnumerable<string> addresses)
    {
        lock (gate)
        {
            foreach (var address in addresses)
            {
                ports.Remove(address);
            }

            Save();
        }
    }

    // Written whole and renamed into place, so that a proxy never reads half a map.
    private void Save()
    {
        var text = new StringBuilder();
        foreach (var (address, port) in ports.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            text.Append(address).Append(' ').Append(port).Append('\n');
        }

        File.WriteAllText(MapFile + ".tmp", text.ToString());
        File.Move(MapFile + ".tmp", MapFile, overwrite: true);
    }
}
