using AwsRunner.Cli.Verbs;
using AwsRunner.Core;
using AwsRunner.Core.Cloud;
using AwsRunner.Core.Cloud.Aws;
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

        return cloud switch
        {
            "local" => CloudConnection.Local(home, options.MaxParallel ?? Environment.ProcessorCount, TimeProvider.System, loggers),
            "aws" => CloudConnection.Aws(AwsOptions(options, record), NodeShells.OpenSsh(SshOptionsFor(options, record), home, TimeProvider.System, loggers), home, TimeProvider.System, loggers),
            _ => throw new InvalidInputException("Cloud", $"--cloud \"{cloud}\": must be aws or local"),
        };
    }

    /// <summary>
    /// How the AWS cloud's node shells reach the nodes: --ssh-user, --ssh-config and --boot-timeout, else what the
    /// batch was dispatched with.
    /// </summary>
    public static SshOptions SshOptionsFor(CommonOptions options, BatchRecord? record)
    {
        var defaults = new SshOptions();
        return defaults with
        {
            User = options.SshUser ?? record?.SshUser ?? defaults.User,
            ConfigFile = options.SshConfig ?? record?.SshConfig,
            BootTimeout = CliValues.Duration(options.BootTimeout, "--boot-timeout") ?? defaults.BootTimeout,
        };
    }

    /// <summary>The batch's own region and endpoint, as this machine remembers them, unless the options say otherwise.</summary>
    private static AwsCloudOptions AwsOptions(CommonOptions options, BatchRecord? record)
    {
        var aws = new AwsCloudOptions
        {
            Region = options.Region ?? record?.Region,
            Profile = options.Profile,
            EndpointUrl = options.EndpointUrl ?? record?.EndpointUrl,
        };
        if (options is not DispatchVerb dispatch)
        {
            return aws;
        }

        if (dispatch.VolumeSize is < 1 or > 16384)
        {
            throw new InvalidInputException("Option", $"--volume-size {dispatch.VolumeSize}: give a size in GiB from 1 to 16384");
        }

        return aws with
        {
            KeyFile = dispatch.KeyFile is null ? null : Path.GetFullPath(dispatch.KeyFile),
            SshCidr = dispatch.SshCidr,
            SubnetId = dispatch.Subnet,
            InstanceProfile = dispatch.InstanceProfile,
            VolumeSizeGiB = dispatch.VolumeSize,
            Spot = dispatch.Spot,
        };
    }
}
