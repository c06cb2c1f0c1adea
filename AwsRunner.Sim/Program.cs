using System.Runtime.InteropServices;
using AwsRunner.Core;
using AwsRunner.Sim.Requests;
using CommandLine;
using Microsoft.Extensions.Logging;

// sshd, /proc and the nodes' bash scripts: the fleet is a Linux program.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]

namespace AwsRunner.Sim;

/// <summary>
/// The simulated EC2 fleet: moto_server for the APIs, and for every running instance a node on this machine with a
/// real OpenSSH sshd on 127.0.0.1, reached through the ssh_config the fleet writes. See README.md, "Simulated fleet".
/// </summary>
internal static class Program
{
    public static async Task<int> Main(string[] args)
    {
        // Nothing the fleet starts may look for the instance metadata address; only 127.0.0.1 is ever reached.
        Environment.SetEnvironmentVariable("AWS_EC2_METADATA_DISABLED", "true");
        using var parser = new Parser(settings =>
        {
            settings.HelpWriter = Console.Error;
            settings.AutoVersion = false;
        });
        var parsed = parser.ParseArguments<FleetOptions, InterruptOptions, RebootOptions>(args);
        return parsed switch
        {
            Parsed<object> { Value: FleetOptions options } => await RunFleetAsync(options).ConfigureAwait(false),
            Parsed<object> { Value: NodeCommandOptions options } => await AskFleetAsync(options).ConfigureAwait(false),
            _ => parsed.Errors.IsHelp() ? 0 : 2,
        };
    }

    private static async Task<int> RunFleetAsync(FleetOptions options)
    {
        using var stop = new CancellationTokenSource();
        void Stop(PosixSignalContext context)
        {
            context.Cancel = true;
            stop.Cancel();
        }

        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        using var hangUp = PosixSignalRegistration.Create(PosixSignal.SIGHUP, Stop);
        using var loggers = LoggerFactory.Create(builder => builder
            .SetMinimumLevel(LogLevel.Information)
            .AddFilter("System.Net.Http", LogLevel.Warning)
            .AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.TimestampFormat = "HH:mm:ss.fff ";
            })
            .AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace));
        try
        {
            return await new FleetHost(options, TimeProvider.System, loggers).RunAsync(stop.Token).ConfigureAwait(false);
        }
        catch (InvalidInputException e)
        {
            await Console.Error.WriteLineAsync("awsrunner fleet: " + e.Message).ConfigureAwait(false);
            return 2;
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            return 0;
        }
        catch (Exception e) when (e is InvalidOperationException or TimeoutException or IOException)
        {
            // moto_server or the fleet's folder failed it before any node was up.
            await Console.Error.WriteLineAsync("awsrunner fleet: " + e.Message).ConfigureAwait(false);
            return 1;
        }
    }

    /// <summary>interrupt and reboot: one request to the fleet running with the folder given; its answer is the one line said.</summary>
    private static async Task<int> AskFleetAsync(NodeCommandOptions options)
    {
        using var stop = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            stop.Cancel();
        };
        try
        {
            var (exitCode, message) = await RequestCommand.RunAsync(options, TimeProvider.System, stop.Token).ConfigureAwait(false);
            await (exitCode == RequestCommand.Done ? Console.Out : Console.Error)
                .WriteLineAsync((exitCode == RequestCommand.Done ? "" : "awsrunner fleet: ") + message).ConfigureAwait(false);
            return exitCode;
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            return 130;
        }
    }
}
