using AwsRunner.Cli.Verbs;
using AwsRunner.Core;
using AwsRunner.Core.Cloud;
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
            "aws" => throw new InvalidInputException("Cloud", "--cloud aws is not part of this build yet; use --cloud local"),
            _ => throw new InvalidInputException("Cloud", $"--cloud \"{cloud}\": must be aws or local"),
        };
    }

    /// <summary>How the AWS cloud's node shells reach the nodes, from --ssh-user, --ssh-config and --boot-timeout.</summary>
    public static SshOptions SshOptionsFor(CommonOptions options)
    {
        var defaults = new SshOptions();
        return defaults with
        {
            User = options.SshUser ?? defaults.User,
            ConfigFile = options.SshConfig,
            BootTimeout = CliValues.Duration(options.BootTimeout, "--boot-timeout") ?? defaults.BootTimeout,
        };
    }
}
