using System.Diagnostics;
using System.Globalization;

namespace AwsRunner.Sim.Moto;

/// <summary>A moto_server of our own on a free 127.0.0.1 port, killed with its children on dispose.</summary>
internal sealed class MotoProcess : IAsyncDisposable
{
    public const string Program = "moto_server";

    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(10) };
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan BetweenProbes = TimeSpan.FromMilliseconds(100);

    private readonly Process process;

    private MotoProcess(Process process, Uri url)
    {
        this.process = process;
        Url = url;
    }

    /// <summary>The endpoint for every AWS service moto simulates.</summary>
    public Uri Url { get; }

    /// <summary>CPU time moto has used so far: with a tool on the same machine, the server's share of the work.</summary>
    public TimeSpan ProcessorTime
    {
        get
        {
            process.Refresh();
            return process.TotalProcessorTime;
        }
    }

    /// <summary>moto_server's path, from the PATH; null when it is not installed.</summary>
    public static string? Find() =>
        (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(folder => Path.Combine(folder, Program))
            .FirstOrDefault(File.Exists);

    /// <summary>Starts moto_server and returns once it answers.</summary>
    /// <param name="program">moto_server's path (see <see cref="Find"/>).</param>
    /// <param name="environment">Variables set for it (moto reads its settings from its environment).</param>
    /// <param name="cancellationToken">Stops waiting, and the server.</param>
    public static async Task<MotoProcess> StartAsync(string program, IEnumerable<(string Name, string Value)> environment, CancellationToken cancellationToken)
    {
        var port = LoopbackPort.Free();
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
        try
        {
            await server.WaitAnsweringAsync(cancellationToken).ConfigureAwait(false);
            return server;
        }
        catch
        {
            await server.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Forgets everything moto holds (moto's own reset call).</summary>
    public async Task ResetAsync(CancellationToken cancellationToken)
    {
        using var response = await Http.PostAsync(new Uri(Url, "/moto-api/reset"), null, cancellationToken).ConfigureAwait(false);
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

    // A fresh server holds nothing, so its reset call is a harmless probe.
    private async Task WaitAnsweringAsync(CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(StartTimeout);
        while (true)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"moto_server exited with {process.ExitCode}");
            }

            try
            {
                await ResetAsync(timeout.Token).ConfigureAwait(false);
                return;
            }
            catch (HttpRequestException)
            {
                try
                {
                    await Task.Delay(BetweenProbes, timeout.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    throw new TimeoutException($"moto_server did not answer within {StartTimeout}");
                }
            }
        }
    }
}
