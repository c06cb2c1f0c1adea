namespace AwsRunner.Cli.Rendering;

/// <summary>
/// The only place awsrunner writes to the console: results to stdout, errors and chatter to stderr; and asks a
/// question when someone can answer it (<paramref name="input"/> is a terminal's, else null).
/// </summary>
internal sealed class Terminal(TextWriter output, TextWriter error, bool quiet, bool interactive, TextReader? input = null)
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

    /// <summary>Whether a person at a terminal can answer a question (not a script, not CI).</summary>
    public bool CanAsk => input is not null;

    /// <summary>Asks a yes-or-no question on stderr; anything but y or yes is no.</summary>
    public async Task<bool> AskAsync(string question, CancellationToken cancellationToken)
    {
        var reader = input ?? throw new InvalidOperationException("no terminal to ask on");
        lock (gate)
        {
            error.Write(question);
            error.Flush();
        }

        // A blocking read, waited for so that Ctrl-C still interrupts.
        var answer = await Task.Run(reader.ReadLine, cancellationToken).WaitAsync(cancellationToken).ConfigureAwait(false);
        return answer?.Trim().ToLowerInvariant() is "y" or "yes";
    }

    private void Write(TextWriter writer, string line)
    {
        lock (gate)
        {
            writer.WriteLine(line);
            writer.Flush();
        }
    }
}
