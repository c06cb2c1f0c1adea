using Renci.SshNet;

namespace AwsRunner.Core.Cloud.Ssh.SshNet;

/// <summary>
/// The one SSH connection to a node that all of a step's commands to it share: opened by the first command, kept open
/// while it works, opened again if it broke. Until it is open, commands wait for the one that opens it, so that a
/// node never gets two connections at once.
/// </summary>
internal sealed class NodeConnection(NodeInstance node) : IDisposable
{
    private readonly SemaphoreSlim opening = new(1, 1);
    private readonly Lock gate = new();
    private SshClient? client;
    private int users;

    public NodeInstance Node => node;

    /// <summary>When a command last took the connection (a <see cref="TimeProvider"/> timestamp), for closing the least recently used.</summary>
    public long LastUsed { get; private set; }

    public bool IsOpen
    {
        get
        {
            lock (gate)
            {
                return client is { IsConnected: true };
            }
        }
    }

    /// <summary>Takes the connection for one command, opening it first if needed; dispose the lease when the command is done.</summary>
    public async Task<Lease> TakeAsync(Func<CancellationToken, Task<SshClient>> open, long now, CancellationToken cancellationToken)
    {
        lock (gate)
        {
            users++;
        }

        try
        {
            await opening.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                if (!IsOpen)
                {
                    Replace(null);
                    var opened = await open(cancellationToken).ConfigureAwait(false);
                    Replace(opened);
                }
            }
            finally
            {
                opening.Release();
            }

            LastUsed = now;
            lock (gate)
            {
                return new Lease(this, client ?? throw new InvalidOperationException("the connection closed while it was taken"));
            }
        }
        catch
        {
            Release();
            throw;
        }
    }

    /// <summary>Closes the connection if no command has it; the next command opens it again.</summary>
    /// <returns>Whether it was closed.</returns>
    public bool CloseIfIdle()
    {
        lock (gate)
        {
            if (users > 0 || client is null)
            {
                return false;
            }

            Replace(null);
            return true;
        }
    }

    public void Dispose()
    {
        Replace(null);
        opening.Dispose();
    }

    private void Release()
    {
        lock (gate)
        {
            users--;
        }
    }

    private void Replace(SshClient? opened)
    {
        SshClient? old;
        lock (gate)
        {
            old = client;
            client = opened;
        }

        old?.Dispose();
    }

    /// <summary>The connection, taken by one command.</summary>
    public sealed class Lease(NodeConnection connection, SshClient client) : IDisposable
    {
        public SshClient Client => client;

        /// <summary>The connection broke under the command: it is closed, and the next command opens a new one.</summary>
        public void Broken()
        {
            lock (connection.gate)
            {
                if (connection.client != client)
                {
                    return;
                }
            }

            connection.Replace(null);
        }

        public void Dispose() => connection.Release();
    }
}
