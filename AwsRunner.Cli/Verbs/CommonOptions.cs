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

    [Option("max-parallel", HelpText = "Local cloud: how many nodes run their jobs at once (default: the CPU count).")]
    public int? MaxParallel { get; set; }

    [Option('v', "verbose", HelpText = "Say what is done on the cloud and on the nodes.")]
    public bool Verbose { get; set; }

    [Option('q', "quiet", HelpText = "Print only errors and the final result.")]
    public bool Quiet { get; set; }
}
