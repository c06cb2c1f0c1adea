using AwsRunner.Cli.Rendering;
using AwsRunner.Cli.Verbs;
using AwsRunner.Core.Dispatch;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace AwsRunner.Cli.Commands;

/// <summary><c>status NAME --watch</c>: the table redrawn on a terminal, or printed again whenever it changes.</summary>
internal sealed class StatusWatch(Terminal terminal, Batch batch, StatusVerb verb)
{
    public async Task<int> RunAsync(TimeSpan? interval, CancellationToken cancellationToken)
    {
        try
        {
            if (verb.NoProgress || verb.Json || !terminal.Interactive)
            {
                var shown = "";
                await batch.WaitAsync(new SynchronousProgress<BatchStatus>(status =>
                {
                    // Printed again when a job changes state, not every time an elapsed time ticks.
                    var key = string.Join(",", status.Jobs.Select(j => $"{j.State}:{j.ExitCode}"));
                    if (key != shown)
                    {
                        shown = key;
                        terminal.Result(verb.Json ? JsonOutput.Serialize(StatusView.From(status)) : string.Join(Environment.NewLine, StatusView.Lines(status)));
                    }
                }), interval: interval, cancellationToken: cancellationToken).ConfigureAwait(false);
                return ExitCodes.Ok;
            }

            await AnsiConsole.Live(new Text("reading the batch...")).StartAsync(async context =>
                await batch.WaitAsync(new SynchronousProgress<BatchStatus>(status => context.UpdateTarget(Render(status))), interval: interval, cancellationToken: cancellationToken)
                    .ConfigureAwait(false)).ConfigureAwait(false);
            return ExitCodes.Ok;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return ExitCodes.Ok;
        }
    }

    private static Rows Render(BatchStatus status)
    {
        var lines = StatusView.Lines(status).ToList();
        return new Rows(lines.Select((line, i) => (IRenderable)(i == 0 ? new Markup($"[bold]{Markup.Escape(line)}[/]") : new Text(line))));
    }
}
