using AwsRunner.Cli.Commands;
using AwsRunner.Cli.Rendering;
using AwsRunner.Cli.Verbs;
using AwsRunner.Core;
using CommandLine;
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
        // -h is --help, as in most tools; after -- it is a word of the ssh verb's command.
        var arguments = args.TakeWhile(a => a != "--").Select(a => a == "-h" ? "--help" : a).Concat(args.SkipWhile(a => a != "--")).ToArray();
        var parsed = parser.ParseArguments(arguments, VerbCatalog.Types);
        if (parsed.Value is { } given && CommandLineProblem.AfterParse(VerbCatalog.Of(given.GetType()), arguments[1..]) is { } afterParse)
        {
            Console.Error.WriteLine(string.Join(Environment.NewLine, UsageText.Problem(VerbCatalog.Of(given.GetType()), afterParse)));
            return ExitCodes.BadInput;
        }

        return await parsed.MapResult(
            (DispatchVerb v) => RunAsync(v, (t, h, l) => new DispatchCommand(t, h, l).RunAsync(v, cancel.Token)),
            (StatusVerb v) => RunAsync(v, (t, h, l) => new StatusCommand(t, h, l).RunAsync(v, cancel.Token)),
            (FetchVerb v) => RunAsync(v, (t, h, l) => new FetchCommand(t, h, l).RunAsync(v, cancel.Token)),
            (DownVerb v) => RunAsync(v, (t, h, l) => new DownCommand(t, h, l).RunAsync(v, cancel.Token)),
            (SshVerb v) => RunAsync(v, (_, h, l) => new SshCommand(h, l).RunAsync(v, cancel.Token)),
            (LogsVerb v) => RunAsync(v, (_, h, l) => new LogsCommand(h, l).RunAsync(v, cancel.Token)),
            (PutVerb v) => RunAsync(v, (t, h, l) => new CopyCommand(t, h, l).PutAsync(v, cancel.Token)),
            (GetVerb v) => RunAsync(v, (t, h, l) => new CopyCommand(t, h, l).GetAsync(v, cancel.Token)),
            errors => Task.FromResult(ShowUsage(parsed, errors.ToList(), arguments))).ConfigureAwait(false);
    }

    /// <summary>
    /// Help and version asked for go to stdout with exit 0. A command line that does not parse gets a few lines on
    /// stderr, exit 2: what is wrong, the verb's synopsis, where to read more.
    /// </summary>
    private static int ShowUsage(ParserResult<object> parsed, List<Error> errors, string[] arguments)
    {
        var verb = VerbCatalog.All.FirstOrDefault(v => v.Type == parsed.TypeInfo.Current);
        if (errors.IsVersion())
        {
            Console.Out.WriteLine(UsageText.Version);
            return ExitCodes.Ok;
        }

        if (errors.OfType<HelpVerbRequestedError>().FirstOrDefault() is { } helpVerb)
        {
            // awsrunner help [VERB]
            if (!helpVerb.Matched && arguments.Length > 1)
            {
                return Refuse(UsageText.Problem(null, CommandLineProblem.UnknownVerb(arguments[1])));
            }

            return Print(helpVerb.Matched ? UsageText.Verb(VerbCatalog.Of(helpVerb.Type)) : UsageText.Verbs());
        }

        if (errors.Any(e => e.Tag == ErrorType.HelpRequestedError))
        {
            return Print(verb is null ? UsageText.Verbs() : UsageText.Verb(verb));
        }

        if (errors.Any(e => e.Tag == ErrorType.NoVerbSelectedError))
        {
            return Refuse(UsageText.Verbs());
        }

        var problem = CommandLineProblem.Describe(CommandLineProblem.First(errors), verb, arguments.Skip(1).ToList());
        return Refuse(UsageText.Problem(verb, problem));

        static int Print(IEnumerable<string> lines)
        {
            Console.Out.WriteLine(string.Join(Environment.NewLine, lines));
            return ExitCodes.Ok;
        }

        static int Refuse(IEnumerable<string> lines)
        {
            Console.Error.WriteLine(string.Join(Environment.NewLine, lines));
            return ExitCodes.BadInput;
        }
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
        // The library names its options; the user gave flags.
        catch (InvalidInputException e)
        {
            terminal.Error($"awsrunner: {OptionFlags.Apply(e.Message)}");
            return ExitCodes.BadInput;
        }
        catch (CloudException e)
        {
            terminal.Error($"awsrunner: {OptionFlags.Apply(e.Message)}" + (e.RequestId is null ? "" : $" [request {e.RequestId}]"));
            if (e.Hint is not null)
            {
                terminal.Error($"  hint: {OptionFlags.Apply(e.Hint)}");
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
