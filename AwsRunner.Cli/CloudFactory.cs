using AwsRunner.Cli.Verbs;
using AwsRunner.Core;
using AwsRunner.Core.Cloud;
using AwsRunner.Core.Cloud.Aws;
using AwsRunner.Core.Cloud.Local;
using AwsRunner.Core.Cloud.Ssh;
using AwsRunner.Core.Dispatch;
using Microsoft.Extensions.Logging;

namespace AwsRunner.Cli;

/// <summary>Opens the cloud a verb asks for: --cloud, else the cloud this machine remembers for the batch, else aws.</summary>
internal static class CloudFactory
{
    public static CloudConnection Open(CommonOptions options, string? batch, string home, ILoggerFactory loggers)
    {
        var record = batch is null ? null : BatchRecords.Load(home, batch);
        var cloud = options.Cloud ?? record?.Cloud ?? "aws";
        if (options.MaxParallel is < 1)
        {
            throw new InvalidInputException("Option", $"--max-parallel {options.MaxParallel}: must be at least 1");
        }

        try
        {
            return cloud switch
            {
                "local" => OpenLocal(options, home, loggers),
                "aws" => AwsCloudConnection.Open(AwsOptions(options, record), SshOptionsFor(options, record), home, TimeProvider.System, loggers),
                _ => throw new InvalidInputException("Cloud", $"--cloud \"{cloud}\": must be aws or local"),
            };
        }
        catch (InvalidInputException e) when (e.Code == "Region" && batch is not null && record is null && options.Region is null && options is not DispatchVerb)
        {
            // A batch this machine never dispatched is looked for on AWS, which needs a region; a known one never asks.
            var known = BatchRecords.List(home).Select(r => r.Name).ToList();
            throw new InvalidInputException("Batch",
                $"no batch \"{batch}\" on this machine (" + (known.Count == 0 ? "it has none" : $"it has {string.Join(", ", known)}") +
                "); for a batch dispatched from another machine, give its --region");
        }
    }

    /// <summary>The local cloud, with the options' limit on the jobs it runs at once.</summary>
    public static CloudConnection OpenLocal(CommonOptions options, string home, ILoggerFactory loggers) =>
        LocalCloudConnection.Open(home, options.MaxParallel ?? Environment.ProcessorCount, TimeProvider.System, loggers);

    /// <summary>
    /// The regions this machine's AWS batch records name, each with the endpoint its batches went through (or the
    /// one the options give): where a look across batches goes when no region is given.
    /// </summary>
    public static IReadOnlyList<(string Region, string? EndpointUrl)> RecordedRegions(CommonOptions options, string home) =>
        BatchRecords.List(home)
            .Where(r => r.Cloud == "aws" && r.Region is not null)
            .Select(r => (Region: r.Region!, EndpointUrl: options.EndpointUrl ?? r.EndpointUrl))
            .Distinct()
            .OrderBy(p => p.Region, StringComparer.Ordinal)
            .ThenBy(p => p.EndpointUrl, StringComparer.Ordinal)
            .ToList();

    /// <summary>The AWS cloud in one region, through one endpoint, with the options' profile and SSH settings.</summary>
    public static CloudConnection OpenAws(CommonOptions options, string region, string? endpointUrl, string home, ILoggerFactory loggers) =>
        AwsCloudConnection.Open(
            new AwsCloudOptions { Region = region, Profile = options.Profile, EndpointUrl = endpointUrl },
            SshOptionsFor(options, record: null),
            home,
            TimeProvider.System,
            loggers);

    /// <summary>
    /// How the AWS cloud's node shells reach the nodes: the SSH options given, else the transport the batch was
    /// dispatched with (an ssh_config given now replaces a remembered proxy, and the other way round).
    /// </summary>
    public static SshOptions SshOptionsFor(CommonOptions options, BatchRecord? record)
    {
        var remembered = record?.Ssh ?? new SshOptions();
        var proxy = options.SshProxy is { } text
            ? Uri.TryCreate(text, UriKind.Absolute, out var uri) ? uri : throw new InvalidInputException("Option", $"--ssh-proxy \"{text}\": give a SOCKS5 proxy as socks5://HOST:PORT")
            : null;
        if (options.SshConfig is not null && proxy is not null)
        {
            throw new InvalidInputException("Option",
                "--ssh-config and --ssh-proxy exclude each other: put the proxy into the ssh_config file (ProxyCommand), or leave the file out");
        }

        return new SshOptions
        {
            User = options.SshUser ?? remembered.User,
            ConfigFile = proxy is not null ? null : options.SshConfig ?? remembered.ConfigFile,
            Proxy = options.SshConfig is not null ? null : proxy ?? remembered.Proxy,
            ConnectTimeout = remembered.ConnectTimeout,
            BootTimeout = CliValues.Duration(options.BootTimeout, "--boot-timeout") ?? remembered.BootTimeout,
            MaxConnecting = remembered.MaxConnecting,
            MaxOpenConnections = remembered.MaxOpenConnections,
        };
    }

    /// <summary>The batch's own region and endpoint, as this machine remembers them, unless the options say otherwise.</summary>
    private static AwsCloudOptions AwsOptions(CommonOptions options, BatchRecord? record)
    {
        // Only a dispatch launches: the launch settings are its own.
        var dispatch = options as DispatchVerb;
        if (dispatch?.VolumeSize is < 1 or > 16384)
        {
            throw new InvalidInputException("Option", $"--volume-size {dispatch.VolumeSize}: give a size in GiB from 1 to 16384");
        }

        return new AwsCloudOptions
        {
            Region = options.Region ?? record?.Region,
            Profile = options.Profile,
            EndpointUrl = options.EndpointUrl ?? record?.EndpointUrl,
            KeyFile = dispatch?.KeyFile is null ? null : Path.GetFullPath(dispatch.KeyFile),
            SshCidr = dispatch?.SshCidr,
            SubnetId = dispatch?.Subnet,
            InstanceProfile = dispatch?.InstanceProfile,
            VolumeSizeGiB = dispatch?.VolumeSize,
            Spot = dispatch?.Spot ?? false,
        };
    }
}
