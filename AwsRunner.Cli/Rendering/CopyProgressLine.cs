using AwsRunner.Core.Cloud;

namespace AwsRunner.Cli.Rendering;

/// <summary>
/// One line on the terminal's error output, redrawn in place, for each large file a copy moves: its name, how much of
/// it has come and how fast. Small files pass without a line.
/// </summary>
internal sealed class CopyProgressLine(TextWriter writer, TimeProvider time) : IProgress<CopyProgress>, IDisposable
{
    private const long LargeFile = 4L << 20;
    private static readonly TimeSpan RedrawEvery = TimeSpan.FromMilliseconds(250);

    private readonly Lock gate = new();
    private string? file;
    private long started;
    private long drawn;
    private bool shown;

    /// <summary>A progress line when the error output is a terminal and the user did not ask for quiet; none otherwise.</summary>
    public static CopyProgressLine? ForConsole(bool quiet) =>
        quiet || Console.IsErrorRedirected ? null : new CopyProgressLine(Console.Error, TimeProvider.System);

    public void Report(CopyProgress value)
    {
        if (value.Size < LargeFile)
        {
            return;
        }

        lock (gate)
        {
            var now = time.GetTimestamp();
            if (value.File != file)
            {
                EndLine();
                file = value.File;
                started = now;
                drawn = 0;
            }

            var done = value.Copied >= value.Size;
            if (!done && drawn != 0 && time.GetElapsedTime(drawn, now) < RedrawEvery)
            {
                return;
            }

            drawn = now;
            var seconds = Math.Max(time.GetElapsedTime(started, now).TotalSeconds, 0.001);
            var line = $"{value.File}  {100 * value.Copied / value.Size,3}%  {Formats.Bytes(value.Copied)} of {Formats.Bytes(value.Size)}  {Formats.Bytes((long)(value.Copied / seconds))}/s";
            writer.Write("\r" + line.PadRight(79));
            writer.Flush();
            shown = true;
        }
    }

    /// <summary>Ends the last line, so that what is printed next starts on a line of its own.</summary>
    public void Finish()
    {
        lock (gate)
        {
            EndLine();
        }
    }

    public void Dispose() => Finish();

    private void EndLine()
    {
        if (shown)
        {
            writer.WriteLine();
            writer.Flush();
            shown = false;
        }
    }
}
