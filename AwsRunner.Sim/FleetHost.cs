using System.Globalization;
using System.Net;
using Amazon.Runtime;
using AwsRunner.Cli;
using AwsRunner.Core;
using AwsRunner.Core.Cloud.Aws;
using AwsRunner.Core.Node;
using AwsRunner.Sim.Ec2;
using AwsRunner.Sim.Faults;
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
            var retry = AwsRetry.Create(AwsTuning.Default with { MaxRetries = 3, RetryBaseDelay = ApiRetryDelay }, time, loggers.CreateLogger(typeof(AwsRetry).FullName!));
            using var ec2 = FleetEc2.Open(new AwsSession(settings.Region, Credentials(), endpoint), retry);
            var services = await FleetServices.StartAsync(settings, endpoint, Credentials(), retry, time, cancellationToken).ConfigureAwait(false);
            await using (services.ConfigureAwait(false))
            {
                var fleet = new Fleet(settings, tag, ec2, services, map, time, loggers);
                var socks = new SocksEndpoint(map, loggers.CreateLogger<SocksEndpoint>());
                await using (fleet.ConfigureAwait(false))
                await using (socks.ConfigureAwait(false))
                {
                    Announce(settings, services.Endpoint, map, socks.Url, tag);
                    LogLimits(services);
                    await fleet.RunAsync(cancellationToken).ConfigureAwait(false);
                }
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

        if (options.InterruptSpot is < 0 or > 1 || double.IsNaN(options.InterruptSpot))
        {
            throw new InvalidInputException("Option", $"--interrupt-spot {options.InterruptSpot.ToString(CultureInfo.InvariantCulture)}: give a share from 0 to 1, such as 0.3");
        }

        if (options.VcpuLimit < 0 || options.InstanceLimit < 0)
        {
            throw new InvalidInputException("Option", "--vcpu-limit and --instance-limit: give a count of 0 or more");
        }

        var minute = Positive(options.Minute, "--minute");
        var poll = Positive(options.Poll, "--poll");
        var delay = CliValues.Duration(options.SshdDelay, "--sshd-delay")!.Value;
        var folder = options.Folder is { } given ? Path.GetFullPath(given) : Directory.CreateTempSubdirectory("awsrunner-fleet-").FullName;
        Directory.CreateDirectory(folder);
        var settings = new FleetSettings(folder, options.Region, minute, delay, poll)
        {
            InterruptSpot = options.InterruptSpot,
            Seed = options.Seed,
            VcpuLimit = options.VcpuLimit,
            InstanceLimit = options.InstanceLimit,
        };
        return (settings, endpoint, options.Folder is null);
    }

    private static TimeSpan Positive(string text, string option) =>
        CliValues.Duration(text, option) is { } value && value > TimeSpan.Zero
            ? value
            : throw new InvalidInputException("Option", $"{option} \"{text}\": must be longer than zero");

    // moto takes any credentials; the environment's are used when set, so that a moto that checks them can be watched too.
    private static BasicAWSCredentials Credentials() => new(
        Environment.GetEnvironmentVariable("AWS_ACCESS_KEY_ID") ?? "testing",
        Environment.GetEnvironmentVariable("AWS_SECRET_ACCESS_KEY") ?? "testing");

    private static void Announce(FleetSettings settings, Uri endpoint, AddressMap map, Uri socks, string tag)
    {
        var user = Environment.UserName;
        var values = new (string Name, string Value)[]
        {
            ("AWSRUNNER_FLEET_ENDPOINT_URL", endpoint.ToString()),
            ("AWSRUNNER_FLEET_REGION", settings.Region),
            ("AWSRUNNER_FLEET_SSH_PROXY", socks.ToString().TrimEnd('/')),
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
                  --ssh-cidr 127.0.0.1/32 --ssh-user {user} --ssh-proxy {socks.ToString().TrimEnd('/')}

            Its nodes answer SSH through the SOCKS5 proxy above (awsrunner's own SSH client), or through OpenSSH with
            --ssh-config {map.SshConfig} instead of --ssh-proxy.
            The batch remembers all of this: status, fetch, down, ssh, logs, put and get need no option again.
            These values are in {environmentFile}. Ctrl-C stops the fleet and every node.
            """);
    }

    private void LogLimits(FleetServices services)
    {
        if (services.Quota is { } quota)
        {
            LogLimited(logger, services.Endpoint, quota);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "The account's limits apply at {Url}, in front of moto: {Quota}")]
    private static partial void LogLimited(ILogger logger, Uri url, AccountQuota quota);

    [LoggerMessage(Level = LogLevel.Information, Message = "Fleet stopped")]
    private static partial void LogStopped(ILogger logger);
}
