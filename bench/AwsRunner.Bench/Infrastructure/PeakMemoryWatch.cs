using System.Globalization;

namespace AwsRunner.Bench.Infrastructure;

/// <summary>
/// Peak resident memory of a process without GNU time: its VmHWM in /proc, read every 10 ms until it exits. The last
/// reading can miss a peak in the final milliseconds, which GNU time would not.
/// </summary>
internal sealed class PeakMemoryWatch : IDisposable
{
    private readonly CancellationTokenSource stop = new();
    private readonly Task<long?> watching;

    private PeakMemoryWatch(int processId) => watching = WatchAsync(processId, stop.Token);

    public static PeakMemoryWatch Start(int processId) => new(processId);

    public async Task<long?> StopAsync()
    {
        await stop.CancelAsync();
        return await watching;
    }

    public void Dispose() => stop.Dispose();

    private static async Task<long?> WatchAsync(int processId, CancellationToken cancellationToken)
    {
        long? peak = null;
        var status = $"/proc/{processId}/status";
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                var line = (await File.ReadAllLinesAsync(status, CancellationToken.None)).FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
                if (line is not null)
                {
                    peak = long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
                }

                await Task.Delay(10, cancellationToken);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or OperationCanceledException)
            {
                // The process is gone (or going): the last reading stands.
                break;
            }
        }

        return peak;
    }
}
