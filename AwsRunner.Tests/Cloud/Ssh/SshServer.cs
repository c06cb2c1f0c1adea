using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace AwsRunner.Tests.Cloud.Ssh;

/// <summary>
/// A real OpenSSH sshd on 127.0.0.1 standing in for one node: its own host key, one authorised client key, and a
/// session wrapper that makes a temporary folder the node's home and runs commands with /bin/sh (as a login shell
/// that is not bash would).
/// </summary>
internal sealed class SshServer : IAsyncDisposable
{
    public const string Sshd = "/usr/sbin/sshd";

    private readonly Process process;
    private readonly StringBuilder log = new();
    private readonly TaskCompletionSource listening = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool disposed;

    private SshServer(Process process, int port, string home, string hostKey)
    {
        this.process = process;
        Port = port;
        Home = home;
        HostKey = hostKey;
    }

    public int Port { get; }

    /// <summary>The node's home folder: where commands run.</summary>
    public string Home { get; }

    /// <summary>The host key's private half (its public half is next to it, with .pub).</summary>
    public string HostKey { get; }

    public string Log
    {
        get
        {
            lock (log)
            {
                return log.ToString();
            }
        }
    }

    /// <summary>TCP connections that authenticated, from sshd's own log.</summary>
    public int AcceptedConnections => Count("Accepted publickey for ");

    public int ClosedConnections => Count("Disconnected from user ");

    /// <summary>Fails the test when sshd is missing under CI; elsewhere, skips it.</summary>
    public static void Require()
    {
        string[] programs = [Sshd, "/usr/bin/ssh", "/usr/bin/ssh-keygen"];
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

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public static async Task GenerateKeyAsync(string path)
    {
        var result = await RunAsync("/usr/bin/ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "awsrunner-test", "-f", path]);
        Assert.That(result, Is.Zero, $"ssh-keygen -f {path} failed");
    }

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

        // sshd started as root insists on its privilege separation folder.
        if (Environment.UserName == "root")
        {
            Directory.CreateDirectory("/run/sshd");
        }

        var session = Path.Combine(folder, "session.sh");
        await File.WriteAllTextAsync(session, $$"""
            export HOME='{{home}}'
            cd "$HOME" || exit 1
            if [ -n "${SSH_ORIGINAL_COMMAND+set}" ]; then exec /bin/sh -c "$SSH_ORIGINAL_COMMAND"; fi
            exec /bin/sh -i
            """.ReplaceLineEndings("\n"));

        var chosenPort = port ?? FreePort();
        var config = Path.Combine(folder, "sshd_config");
        await File.WriteAllTextAsync(config, $"""
            ListenAddress 127.0.0.1
            Port {chosenPort}
            HostKey {hostKey}
            PidFile {Path.Combine(folder, "sshd.pid")}
            AuthorizedKeysFile {authorizedKey}
            StrictModes no
            UsePAM no
            PasswordAuthentication no
            KbdInteractiveAuthentication no
            PubkeyAuthentication yes
            PermitRootLogin prohibit-password
            AllowTcpForwarding no
            X11Forwarding no
            ForceCommand /bin/bash {session}
            """.ReplaceLineEndings("\n"));

        var start = new ProcessStartInfo(Sshd, ["-D", "-e", "-f", config])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        var process = Process.Start(start) ?? throw new InvalidOperationException("sshd did not start");
        var server = new SshServer(process, chosenPort, home, hostKey);
        process.ErrorDataReceived += (_, e) => server.Read(e.Data);
        process.BeginErrorReadLine();
        process.EnableRaisingEvents = true;
        process.Exited += (_, _) => server.listening.TrySetException(
            new InvalidOperationException($"sshd exited with {process.ExitCode}: {server.Log}"));
        await server.listening.Task.WaitAsync(TimeSpan.FromSeconds(10));
        return server;
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

    public async ValueTask DisposeAsync()
    {
        if (disposed)
        {
            return;
        }

        disposed = true;
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        process.Dispose();
    }

    private static async Task<int> RunAsync(string program, string[] arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(program, arguments) { UseShellExecute = false })!;
        await process.WaitForExitAsync();
        return process.ExitCode;
    }

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

    private void Read(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (log)
        {
            log.AppendLine(line);
        }

        if (line.StartsWith("Server listening on", StringComparison.Ordinal))
        {
            listening.TrySetResult();
        }
    }
}
