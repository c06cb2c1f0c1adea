using AwsRunner.Cli.Commands;
using AwsRunner.Cli.Rendering;
using AwsRunner.Cli.Verbs;
using AwsRunner.Core;
using CommandLine;
using CommandLine.Text;
using Microsoft.Extensions.Logging;

namespace AwsRunner.Cli;

internal static class Program
{
    public static async Task<int> Main(string[] args)
    {
        using var cancel = new CancellationTokenSource();
        // The first Ctrl-C stops awsrunner cleanly (the nodes go on); a second one ends it at once.
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = !cancel.IsCancellationRequested;
            cancel.Cancel();
        };

        using var parser = new Parser(settings =>
        {
            settings.HelpWriter = null;
            settings.AutoVersion = true;
            settings.AutoHelp = true;
            settings.EnableDashDash = true;
            // --secret may be given once for each secret.
            settings.AllowMultiInstance = true;
        });
        var parsed = parser.ParseArguments<DispatchVerb, StatusVerb, FetchVerb, DownVerb, SshVerb, LogsVerb, PutVerb, GetVerb>(args);
        return await parsed.MapResult(
            (DispatchVerb v) => RunAsync(v, (t, h, l) => new DispatchCommand(t, h, l).RunAsync(v, cancel.Token)),
            (StatusVerb v) => RunAsync(v, (t, h, l) => new StatusCommand(t, h, l).RunAsync(v, cancel.Token)),
            (FetchVerb v) => RunAsync(v, (t, h, l) => new FetchCommand(t, h, l).RunAsync(v, cancel.Token)),
            (DownVerb v) => RunAsync(v, (t, h, l) => new DownCommand(t, h, l).RunAsync(v, cancel.Token)),
            (SshVerb v) => RunAsync(v, (_, h, l) => new SshCommand(h, l).RunAsync(v, cancel.Token)),
            (LogsVerb v) => RunAsync(v, (_, h, l) => new LogsCommand(h, l).RunAsync(v, cancel.Token)),
            (PutVerb v) => RunAsync(v, (t, h, l) => new CopyCommand(t, h, l).PutAsync(v, cancel.Token)),
            (GetVerb v) => RunAsync(v, (t, h, l) => new CopyCommand(t, h, l).GetAsync(v, cancel.Token)),
            errors => Task.FromResult(ShowUsage(parsed, errors.ToList()))).ConfigureAwait(false);
    }

    /// <summary>Help and version asked for go to stdout with exit 0; a command line that does not parse gets them on stderr, exit 2.</summary>
    private static int ShowUsage<T>(ParserResult<T> parsed, List<Error> errors)
    {
        var asked = errors.Count > 0 && errors.All(e => e.Tag is ErrorType.HelpRequestedError or ErrorType.HelpVerbRequestedError or ErrorType.VersionRequestedError);
        var text = errors.IsVersion()
            ? HeadingInfo.Default.ToString()
            : HelpText.AutoBuild(parsed, help =>
            {
                help.AddEnumValuesToHelpText = true;
                help.AddPostOptionsLine("Exit codes: 0 ok, 1 a job failed (--wait), 2 bad input, 3 cloud or node error. More: README.md.");
                return HelpText.DefaultParsingErrorsHandler(parsed, help);
            }, example => example).ToString();
        (asked ? Console.Out : Console.Error).WriteLine(text);
        return asked ? ExitCodes.Ok : ExitCodes.BadInput;
    }

    private static async Task<int> RunAsync(CommonOptions options, Func<Terminal, string, ILoggerFactory, Task<int>> command)
    {
        var terminal = new Terminal(Console.Out, Console.Error, options.Quiet, !Console.IsOutputRedirected, Console.IsInputRedirected ? null : Console.In);
        using var loggers = LoggerFactory.Create(builder => builder
            .SetMinimumLevel(options.Verbose ? LogLevel.Debug : options.Quiet ? LogLevel.Error : LogLevel.Warning)
            .AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace)
            .AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.TimestampFormat = "HH:mm:ss ";
            })
            .AddFilter("Microsoft", LogLevel.Warning)
            // SSH.NET's own log is about packets and key exchanges; awsrunner says what it does with the nodes itself.
            .AddFilter("Renci", LogLevel.Warning));
        try
        {
            return await command(terminal, AwsRunnerHome.Resolve(), loggers).ConfigureAwait(false);
        }
        catch (InvalidInputException e)
        {
            terminal.Error($"awsrunner: {e.Message}");
            return ExitCodes.BadInput;
        }
        catch (CloudException e)
        {
            terminal.Error($"awsrunner: {e.Message}" + (e.RequestId is null ? "" : $" [request {e.RequestId}]"));
            if (e.Hint is not null)
            {
                terminal.Error($"  hint: {e.Hint}");
            }

            return ExitCodes.CloudError;
        }
        catch (OperationCanceledException)
        {
            terminal.Error("awsrunner: interrupted.");
            return ExitCodes.Interrupted;
        }
        catch (UnauthorizedAccessException e)
        {
            terminal.Error($"awsrunner: permission denied: {e.Message}");
            return ExitCodes.BadInput;
        }
        catch (IOException e)
        {
            terminal.Error($"awsrunner: error on this machine's files: {e.Message}");
            return ExitCodes.CloudError;
        }
    }
}
