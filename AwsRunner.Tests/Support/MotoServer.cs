using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using NUnit.Framework;

namespace AwsRunner.Tests.Support;

/// <summary>
/// One moto_server on a free 127.0.0.1 port, shared by every test that needs AWS APIs; state is reset between
/// tests with moto's own reset call. Nothing ever goes to a real AWS endpoint.
/// </summary>
internal sealed class MotoServer : IAsyncDisposable
{
    private static readonly Lazy<Task<MotoServer?>> Shared = new(() => StartAsync([]));
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(10) };
    private readonly Process process;

    private MotoServer(Process process, Uri url)
    {
        this.process = process;
        Url = url;
    }

    public Uri Url { get; }

    /// <summary>The shared server; a test that needs it is ignored where moto_server is missing, and fails under CI.</summary>
    public static async Task<MotoServer> RequireAsync() => await Shared.Value.ConfigureAwait(false) ?? Missing();

    /// <summary>A server of the caller's own, started with these environment variables (the caller disposes it).</summary>
    public static async Task<MotoServer> RequireOwnAsync(params (string Name, string Value)[] environment) =>
        await StartAsync(environment).ConfigureAwait(false) ?? Missing();

    public static async Task StopSharedAsync()
    {
        if (Shared.IsValueCreated && await Shared.Value.ConfigureAwait(false) is { } server)
        {
            await server.DisposeAsync().ConfigureAwait(false);
        }
    }

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

    private static MotoServer Missing()
    {
        const string Message = "moto_server is not on PATH (pip install 'moto[server]')";
        if (Environment.GetEnvironmentVariable("CI") == "true")
        {
            Assert.Fail(Message);
        }

        Assert.Ignore(Message);
        throw new InvalidOperationException(Message);
    }

    private static async Task<MotoServer?> StartAsync((string Name, string Value)[] environment)
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
        var start = new ProcessStartInfo(program, ["-H", "127.0.0.1", "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture)])
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
        var server = new MotoServer(process, new Uri($"http://127.0.0.1:{port}/"));
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

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
