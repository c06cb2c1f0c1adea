namespace AwsRunner.Sim.Ssh;

/// <summary>How one sshd is set up: it listens on 127.0.0.1 only, lets in the authorised keys only, and runs every session through a command of ours.</summary>
/// <param name="Folder">Where its configuration, pid file and log go.</param>
/// <param name="Port">The port on 127.0.0.1.</param>
/// <param name="HostKey">Its host key's private half.</param>
/// <param name="AuthorizedKeys">The public keys allowed in (OpenSSH's authorized_keys format).</param>
/// <param name="ForceCommand">Runs every session, with the client's command in <c>SSH_ORIGINAL_COMMAND</c>.</param>
internal sealed record SshdSettings(string Folder, int Port, string HostKey, string AuthorizedKeys, string ForceCommand)
{
    /// <summary>The whole environment sshd starts with (its sessions' processes inherit none of it but what sshd passes); this process's when null.</summary>
    public IReadOnlyDictionary<string, string>? Environment { get; init; }

    public string ConfigFile => Path.Combine(Folder, "sshd_config");

    public string Configuration => $"""
        ListenAddress 127.0.0.1
        Port {Port}
        HostKey {HostKey}
        PidFile {Path.Combine(Folder, "sshd.pid")}
        AuthorizedKeysFile {AuthorizedKeys}
        StrictModes no
        UsePAM no
        PasswordAuthentication no
        KbdInteractiveAuthentication no
        PubkeyAuthentication yes
        PermitRootLogin prohibit-password
        AllowTcpForwarding no
        X11Forwarding no
        MaxSessions 64
        ForceCommand {ForceCommand}

        """.ReplaceLineEndings("\n");
}
