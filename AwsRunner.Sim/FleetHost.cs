using System.Globalization;
using System.Net;
using Amazon.Runtime;
using AwsRunner.Cli;
using AwsRunner.Core;
using AwsRunner.Core.Cloud.Aws;
using AwsRunner.Core.Node;
using AwsRunner.Sim.Ec2;
using AwsRunner.Sim.Moto;
using AwsRunner.Sim.Nodes;
using AwsRunner.Sim.Ssh;
using Microsoft.Extensions.Logging;

namespace AwsRunner.Sim;

/// <summary>
/// Puts the fleet together (its folder, moto_server unless one is given, the ssh_config), says how to use it, runs it
/// until cancelled, and takes everything down again.
/// </summary>
internal sealed partial class FleetHost(FleetOptions options, TimeProvider time, ILoggerFactory loggers)
{
    private static readonly TimeSpan ApiRetryDelay = TimeSpan.FromMilliseconds(200);

    private readonly ILogger logger = loggers.CreateLogger<FleetHost>();

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var (settings, endpoint, ownFolder) = Check();
        MotoProcess? moto = null;
        try
        {
            if (endpoint is null)
            {
                var program = MotoProcess.Find() ?? throw new InvalidInputException("Moto",
                    $"{MotoProcess.Program} is not on the PATH: pip install 'moto[server]', or give a running one with --endpoint-url");
                moto = await MotoProcess.StartAsync(program, [("AWS_EC2_METADATA_DISABLED", "true")], cancellationToken).ConfigureAwait(false);
                endpoint = moto.Url;
            }

            var map = new AddressMap(settings.Folder);
            map.WriteFiles();
            var tag = Guid.NewGuid().ToString("N")[..12] + "/";
            using var ec2 = FleetEc2.Open(
                new AwsSession(settings.Region, Credentials(), endpoint),
                AwsRetry.Create(AwsTuning.Default with { MaxRetries = 3, RetryBaseDelay = ApiRetryDelay }, time, loggers.CreateLogger(typeof(AwsRetry).FullName!)));
            var fleet = new Fleet(settings, tag, ec2, map, time, loggers);
            await using (fleet.ConfigureAwait(false))
            {
                Announce(settings, endpoint, map, tag);
                await fleet.RunAsync(cancellationToken).ConfigureAwait(false);
            }

            return 0;
        }
        finally
        {
            if (moto is not null)
            {
                await moto.DisposeAsync().ConfigureAwait(false);
            }

            if (ownFolder)
            {
                Directory.Delete(settings.Folder, recursive: true);
            }
            else
            {
                // The nodes' folders stay for a look; what points at the fleet goes with it.
                File.Delete(settings.EnvironmentFile);
            }

            LogStopped(logger);
        }
    }

    /// <summary>The settings, the endpoint given (null: start moto_server), and whether the folder is the fleet's own to remove.</summary>
    private (FleetSettings Settings, Uri? Endpoint, bool OwnFolder) Check()
    {
        string[] programs = [SshdProcess.Program, SshKeygen.Program, "/bin/bash"];
        if (programs.FirstOrDefault(p => !File.Exists(p)) is { } missing)
        {
            throw new InvalidInputException("OpenSsh", $"{missing} is missing: apt-get install -y openssh-server openssh-client");
        }

        Uri? endpoint = null;
        if (options.EndpointUrl is { } url)
        {
            // The fleet terminates instances: it must never reach anything but a simulator on this machine.
            if (!Uri.TryCreate(url, UriKind.Absolute, out endpoint) || !IPAddress.TryParse(endpoint.Host, out var address) || !IPAddress.IsLoopback(address))
            {
                throw new InvalidInputException("Option", $"--endpoint-url \"{url}\": give a simulator on this machine, such as http://127.0.0.1:5000");
            }
        }

        var minute = Positive(options.Minute, "--minute");
        var poll = Positive(options.Poll, "--poll");
        var delay = CliValues.Duration(options.SshdDelay, "--sshd-delay")!.Value;
        var folder = options.Folder is { } given ? Path.GetFullPath(given) : Directory.CreateTempSubdirectory("awsrunner-fleet-").FullName;
        Directory.CreateDirectory(folder);
        return (new FleetSettings(folder, options.Region, minute, delay, poll), endpoint, options.Folder is null);
    }

    private static TimeSpan Positive(string text, string option) =>
        CliValues.Duration(text, option) is { } value && value > TimeSpan.Zero
            ? value
            : throw new InvalidInputException("Option", $"{option} \"{text}\": must be longer than zero");

    // moto takes any credentials; the environment's are used when set, so that a moto that checks them can be watched too.
    private static BasicAWSCredentials Credentials() => new(
        Environment.GetEnvironmentVariable("AWS_ACCESS_KEY_ID") ?? "testing",
        Environment.GetEnvironmentVariable("AWS_SECRET_ACCESS_KEY") ?? "testing");

    private static void Announce(FleetSettings settings, Uri endpoint, AddressMap map, string tag)
    {
        var user = Environment.UserName;
        var values = new (string Name, string Value)[]
        {
            ("AWSRUNNER_FLEET_ENDPOINT_URL", endpoint.ToString()),
            ("AWSRUNNER_FLEET_REGION", settings.Region),
            ("AWSRUNNER_FLEET_SSH_CONFIG", map.SshConfig),
            ("AWSRUNNER_FLEET_SSH_USER", user),
            ("AWSRUNNER_FLEET_NODES", settings.NodesFolder),
            ("AWSRUNNER_FLEET_TAG", tag),
            ("AWSRUNNER_FLEET_PID", Environment.ProcessId.ToString(CultureInfo.InvariantCulture)),
        };
        var environmentFile = settings.EnvironmentFile;
        File.WriteAllText(environmentFile + ".tmp", string.Concat(values.Select(v => $"{v.Name}={ShellQuote.Quote(v.Value)}\n")));
        File.Move(environmentFile + ".tmp", environmentFile, overwrite: true);
        Console.WriteLine($"""
            The simulated fleet runs: EC2 and S3 at {endpoint} (instances of {settings.Region} become nodes in {settings.NodesFolder}).
            Point awsrunner at it (its nodes let in {user}, who runs the fleet):

              export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing
              awsrunner dispatch ami-760aaa0f NAME JOBS.csv --create --dispatch --region {settings.Region} --endpoint-url {endpoint} \
                  --ssh-cidr 127.0.0.1/32 --ssh-user {user} --ssh-config {map.SshConfig}

            (status, fetch and down find the endpoint themselves; ssh and logs need --ssh-user and --ssh-config again.)
            These values are in {environmentFile}. Ctrl-C stops the fleet and every node.
            """);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Fleet stopped")]
    private static partial void LogStopped(ILogger logger);
}
