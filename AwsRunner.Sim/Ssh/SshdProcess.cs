using System.Diagnostics;
using System.Text;

namespace AwsRunner.Sim.Ssh;

/// <summary>A real OpenSSH sshd in the foreground (<c>-D -e</c>), its log kept; killed on dispose.</summary>
internal sealed class SshdProcess : IAsyncDisposable
{
    public const string Program = "/usr/sbin/sshd";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(10);

    private readonly Process process;
    private readonly StringBuilder log = new();
    private readonly TaskCompletionSource listening = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool disposed;

    private SshdProcess(Process process, int port)
    {
        this.process = process;
        Port = port;
    }

    public int Port { get; }

    /// <summary>What sshd logged so far (connections, authentications, errors).</summary>
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

    /// <summary>Writes the configuration, starts sshd and returns once it listens.</summary>
    public static async Task<SshdProcess> StartAsync(SshdSettings settings, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(settings.Folder);
        await File.WriteAllTextAsync(settings.ConfigFile, settings.Configuration, cancellationToken).ConfigureAwait(false);

        // sshd started as root insists on its privilege separation folder.
        if (Environment.UserName == "root")
        {
            Directory.CreateDirectory("/run/sshd");
        }

        var start = new ProcessStartInfo(Program, ["-D", "-e", "-f", settings.ConfigFile])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        if (settings.Environment is { } environment)
        {
            start.Environment.Clear();
            foreach (var (name, value) in environment)
            {
                start.Environment[name] = value;
            }
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("sshd did not start");
        var server = new SshdProcess(process, settings.Port);
        process.ErrorDataReceived += (_, e) => server.Read(e.Data);
        process.OutputDataReceived += (_, _) => { };
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        process.EnableRaisingEvents = true;
        process.Exited += (_, _) => server.listening.TrySetException(
            new InvalidOperationException($"sshd exited with {process.ExitCode}: {server.Log.Trim()}"));
        try
        {
            await server.listening.Task.WaitAsync(StartTimeout, cancellationToken).ConfigureAwait(false);
            return server;
        }
        catch
        {
            await server.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Kills sshd and its sessions; what a session started detached (setsid) lives on.</summary>
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
            await process.WaitForExitAsync().ConfigureAwait(false);
        }

        process.Dispose();
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
