namespace AwsRunner.Cli.Rendering;

/// <summary>The only place awsrunner writes to the console: results to stdout, errors and chatter to stderr.</summary>
internal sealed class Terminal(TextWriter output, TextWriter error, bool quiet, bool interactive)
{
    private readonly Lock gate = new();

    public TextWriter Output => output;

    public bool Quiet => quiet;

    /// <summary>Whether stdout is a terminal a live view can redraw.</summary>
    public bool Interactive => interactive;

    /// <summary>A result line: always printed.</summary>
    public void Result(string line) => Write(output, line);

    /// <summary>A progress or information line: printed unless --quiet; to stderr when stdout carries JSON.</summary>
    public void Info(string line, bool toError = false)
    {
        if (!quiet)
        {
            Write(toError ? error : output, line);
        }
    }

    public void Error(string line) => Write(error, line);

    private void Write(TextWriter writer, string line)
    {
        lock (gate)
        {
            writer.WriteLine(line);
            writer.Flush();
        }
    }
}
