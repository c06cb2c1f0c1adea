using AwsRunner.Cli.Rendering;
using AwsRunner.Core;
using AwsRunner.Core.Dispatch;

namespace AwsRunner.Cli.Commands;

/// <summary>After Ctrl-C during a dispatch: says what exists now, and how to resume or remove it.</summary>
internal sealed class Interruption(Terminal terminal, BatchRunner runner)
{
    private static readonly TimeSpan LookTimeout = TimeSpan.FromSeconds(30);

    public async Task ReportAsync(string name, string? bucket)
    {
        terminal.Error($"awsrunner: interrupted; batch {name} was left as it is (jobs already started go on).");
        using var look = new CancellationTokenSource(LookTimeout);
        try
        {
            var live = (await runner.ListAsync(look.Token).ConfigureAwait(false)).FirstOrDefault(b => b.Name == name)?.LiveInstances ?? 0;
            terminal.Error($"  it has {live} live nodes now" + await CountsAsync(name, bucket, look.Token).ConfigureAwait(false));
        }
        catch (Exception e) when (e is AwsRunnerException or OperationCanceledException)
        {
            terminal.Error($"  what exists could not be read ({OptionFlags.Apply(e.Message)}); see: awsrunner status {name}");
        }

        terminal.Error($"  resume (adopts what exists, launches only what is missing): awsrunner {string.Join(' ', Environment.GetCommandLineArgs().Skip(1).Select(Quote))}");
        terminal.Error($"  or remove it all: awsrunner down {name}");
    }

    private async Task<string> CountsAsync(string name, string? bucket, CancellationToken cancellationToken)
    {
        try
        {
            var batch = await runner.OpenAsync(name, bucket, cancellationToken).ConfigureAwait(false);
            var status = await batch.GetStatusAsync(cancellationToken).ConfigureAwait(false);
            return $"; jobs: {StatusView.CountsLine(status)}";
        }
        catch (InvalidInputException)
        {
            return "";
        }
    }

    private static string Quote(string argument) =>
        argument.Length > 0 && argument.All(c => char.IsAsciiLetterOrDigit(c) || "-_./=:,@%+".Contains(c)) ? argument : "'" + argument.Replace("'", "'\\''") + "'";
}
