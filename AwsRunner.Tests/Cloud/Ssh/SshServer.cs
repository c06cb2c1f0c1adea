using AwsRunner.Sim;
using AwsRunner.Sim.Ssh;

namespace AwsRunner.Tests.Cloud.Ssh;

/// <summary>
/// A real OpenSSH sshd on 127.0.0.1 standing in for one node: its own host key, one authorised client key, and a
/// session wrapper that makes a temporary folder the node's home and runs commands with /bin/sh (as a login shell
/// that is not bash would).
/// </summary>
internal sealed class SshServer : IAsyncDisposable
{
    private readonly SshdProcess process;

    private SshServer(SshdProcess process, string home, string hostKey)
    {
        this.process = process;
        Home = home;
        HostKey = hostKey;
    }

    public int Port => process.Port;

    /// <summary>The node's home folder: where commands run.</summary>
    public string Home { get; }

    /// <summary>The host key's private half (its public half is next to it, with .pub).</summary>
    public string HostKey { get; }

    public string Log => process.Log;

    /// <summary>TCP connections that authenticated, from sshd's own log.</summary>
    public int AcceptedConnections => Count("Accepted publickey for ");

    public int ClosedConnections => Count("Disconnected from user ");

    /// <summary>Fails the test when sshd is missing under CI; elsewhere, skips it.</summary>
    public static void Require()
    {
        string[] programs = [SshdProcess.Program, "/usr/bin/ssh", SshKeygen.Program];
        if (programs.All(File.Exists))
        {
            return;
        }

        var message = "OpenSSH is missing (need /usr/sbin/sshd, ssh and ssh-keygen): apt-get install -y openssh-server openssh-client";
        if (Environment.GetEnvironmentVariable("CI") == "true")
        {
            Assert.Fail(message);
        }

        Assert.Ignore(message);
    }

    public static int FreePort() => LoopbackPort.Free();

    public static Task GenerateKeyAsync(string path) => SshKeygen.GenerateAsync(path, "awsrunner-test", CancellationToken.None);

    /// <summary>Starts sshd in <paramref name="folder"/> and returns once it listens.</summary>
    /// <param name="folder">Holds its configuration, host key and the node's home.</param>
    /// <param name="authorizedKey">The client's public key file.</param>
    /// <param name="port">The port; a free one when null.</param>
    /// <param name="hostKey">An existing host key; a new one when null.</param>
    public static async Task<SshServer> StartAsync(string folder, string authorizedKey, int? port = null, string? hostKey = null)
    {
        Require();
        Directory.CreateDirectory(folder);
        var home = Path.Combine(folder, "home");
        Directory.CreateDirectory(home);
        if (hostKey is null)
        {
            hostKey = Path.Combine(folder, "host_key");
            await GenerateKeyAsync(hostKey);
        }

        var session = Path.Combine(folder, "session.sh");
        await File.WriteAllTextAsync(session, $$"""
            export HOME='{{home}}'
            cd "$HOME" || exit 1
            if [ -n "${SSH_ORIGINAL_COMMAND+set}" ]; then exec /bin/sh -c "$SSH_ORIGINAL_COMMAND"; fi
            exec /bin/sh -i
            """.ReplaceLineEndings("\n"));

        var settings = new SshdSettings(folder, port ?? FreePort(), hostKey, authorizedKey, $"/bin/bash {session}");
        return new SshServer(await SshdProcess.StartAsync(settings, CancellationToken.None), home, hostKey);
    }

    /// <summary>Waits until every accepted connection has been closed again, so that the counts are final.</summary>
    public async Task WaitForConnectionsClosedAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (ClosedConnections < AcceptedConnections)
        {
            await Task.Delay(20, timeout.Token);
        }
    }

    public ValueTask DisposeAsync() => process.DisposeAsync();

    private int Count(string text)
    {
        var all = Log;
        var count = 0;
        for (var at = all.IndexOf(text, StringComparison.Ordinal); at >= 0; at = all.IndexOf(text, at + 1, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }
}
