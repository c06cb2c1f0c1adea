using System.Net;
using System.Net.Sockets;

namespace AwsRunner.Tests.Cloud.Ssh;

/// <summary>
/// A port on 127.0.0.1 that takes connections and never says a word, as a node does whose sshd hangs: it counts how
/// many connections it holds at once, and lets each go when its client does.
/// </summary>
internal sealed class SilentServer : IDisposable
{
    private readonly TcpListener listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource stop = new();
    private int holding;
    private int mostAtOnce;
    private int accepted;

    public SilentServer()
    {
        listener.Start();
        _ = AcceptAsync();
    }

    public int Port => ((IPEndPoint)listener.LocalEndpoint).Port;

    public int MostAtOnce => Volatile.Read(ref mostAtOnce);

    public int Accepted => Volatile.Read(ref accepted);

    public void Dispose()
    {
        stop.Cancel();
        listener.Stop();
        stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        try
        {
            while (true)
            {
                var client = await listener.AcceptTcpClientAsync(stop.Token);
                Interlocked.Increment(ref accepted);
                var now = Interlocked.Increment(ref holding);
                int seen;
                while (now > (seen = Volatile.Read(ref mostAtOnce)) && Interlocked.CompareExchange(ref mostAtOnce, now, seen) != seen)
                {
                }

                _ = HoldAsync(client);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Stopped.
        }
    }

    private async Task HoldAsync(TcpClient client)
    {
        using (client)
        {
            try
            {
                // The client gives up first; reading tells when it has.
                while (await client.GetStream().ReadAsync(new byte[256], stop.Token) > 0)
                {
                }
            }
            catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException)
            {
                // Gone.
            }
            finally
            {
                Interlocked.Decrement(ref holding);
            }
        }
    }
}
