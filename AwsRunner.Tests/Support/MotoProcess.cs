using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace AwsRunner.Tests.Support;

/// <summary>
/// One moto_server process on a free 127.0.0.1 port, answering when handed out. The benchmarks (bench/) share this
/// file, so it knows nothing of NUnit. Nothing ever goes to a real AWS endpoint.
/// </summary>
internal sealed class MotoProcess : IAsyncDisposable
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(10) };
    private readonly Process process;

    private MotoProcess(Process process, Uri url)
    {
        this.process = process;
        Url = url;
    }

    public Uri Url { get; }

    /// <summary>CPU time moto has used so far: with both tools on one machine, the server's share of the work.</summary>
    public TimeSpan ProcessorTime
    {
        get
        {
            process.Refresh();
            return process.TotalProcessorTime;
        }
    }

    /// <summary>Starts moto_server with these environment variables; null when it is not on PATH.</summary>
    public static async Task<MotoProcess?> StartAsync(IEnumerable<(string Name, string Value)> environment)
    {
        var program = (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(folder => Path.Combine(folder, "moto_server"))
            .FirstOrDefault(File.Exists);
        if (program is null)
        {
            return null;
        }

        var port = FreePort();
        var start = new ProcessStartInfo(program, ["-H", "127.0.0.1", "-p", port.ToString(CultureInfo.InvariantCulture)])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("moto_server did not start");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var server = new MotoProcess(process, new Uri($"http://127.0.0.1:{port}/"));
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"moto_server exited with {process.ExitCode}");
            }

            try
            {
                await server.ResetAsync().ConfigureAwait(false);
                return server;
            }
            catch (HttpRequestException)
            {
                await Task.Delay(200).ConfigureAwait(false);
            }
        }

        await server.DisposeAsync().ConfigureAwait(false);
        throw new InvalidOperationException("moto_server did not answer within a minute");
    }

    /// <summary>Forgets everything: instances, buckets, key pairs.</summary>
    public async Task ResetAsync()
    {
        using var response = await Http.PostAsync(new Uri(Url, "/moto-api/reset"), null).ConfigureAwait(false);
        response.EnsureSuccessStatusCode();
    }

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync().ConfigureAwait(false);
        }

        process.Dispose();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
