using CommandLine;

namespace AwsRunner.Cli.Verbs;

/// <summary>Options every verb takes: which cloud, where the results are, how much to say.</summary>
internal abstract class CommonOptions
{
    [Option("cloud", HelpText = "Where the nodes run: aws, or local (this machine; no AWS account needed). Default: the batch's own cloud if this machine knows the batch, else aws.")]
    public string? Cloud { get; set; }

    [Option("bucket", HelpText = "The bucket for results (default: NAME).")]
    public string? Bucket { get; set; }

    [Option("region", HelpText = "AWS region (default: the profile's, else AWS_REGION / AWS_DEFAULT_REGION).")]
    public string? Region { get; set; }

    [Option("profile", HelpText = "AWS profile from the shared config and credentials files.")]
    public string? Profile { get; set; }

    [Option("endpoint-url", HelpText = "Use this endpoint for EC2 and S3 instead of AWS's (moto, LocalStack).")]
    public string? EndpointUrl { get; set; }

    [Option("max-parallel", HelpText = "Local cloud: how many nodes of each instance type work through its rows at once (default: the CPU count).")]
    public int? MaxParallel { get; set; }

    [Option("ssh-user", HelpText = nameof(OptionHelp.SshUser), ResourceType = typeof(OptionHelp))]
    public string? SshUser { get; set; }

    [Option("ssh-config", HelpText = "AWS: reach the nodes with the system's OpenSSH client and this ssh_config file (bastion, ProxyJump, ProxyCommand), as ssh -F; ~/.ssh/config is then not read. Default: awsrunner's own SSH client, in process.")]
    public string? SshConfig { get; set; }

    [Option("ssh-proxy", HelpText = "AWS: reach the nodes through this SOCKS5 proxy, e.g. socks5://127.0.0.1:1080 (as from ssh -D 1080 bastion).")]
    public string? SshProxy { get; set; }

    [Option("boot-timeout", HelpText = nameof(OptionHelp.BootTimeout), ResourceType = typeof(OptionHelp))]
    public string? BootTimeout { get; set; }

    [Option('v', "verbose", HelpText = "Say what is done on the cloud and on the nodes.")]
    public bool Verbose { get; set; }

    [Option('q', "quiet", HelpText = "Print only errors and the final result.")]
    public bool Quiet { get; set; }
}
