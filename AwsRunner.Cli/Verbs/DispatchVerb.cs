using AwsRunner.Core;
using CommandLine;

namespace AwsRunner.Cli.Verbs;

[Verb("dispatch", HelpText = "Check a job file; create its nodes (--create), start its jobs (--dispatch), wait for them (--wait).")]
internal sealed class DispatchVerb : CommonOptions, IVerbHelp
{
    [Value(0, MetaName = "AMI", Required = true, HelpText = "The machine image every node boots from (ami-...; any word on the local cloud).")]
    public string Image { get; set; } = "";

    [Value(1, MetaName = "NAME", Required = true, HelpText = "The batch's name: 3-63 lowercase letters, digits, hyphens (it names the bucket).")]
    public string Name { get; set; } = "";

    [Value(2, MetaName = "JOBS.csv", Required = true, HelpText = "The job file: a header with instance_type and command, one row per job; extra columns become variables.")]
    public string JobFile { get; set; } = "";

    [Option('c', "create", HelpText = "Create the nodes, upload the code and INSTALL.sh, run it on every node.")]
    public bool Create { get; set; }

    [Option('d', "dispatch", HelpText = "Hand the nodes the queue, detached: they run every row and power off, with or without awsrunner running.")]
    public bool Dispatch { get; set; }

    [Option("install", HelpText = "The INSTALL.sh run on every node after the upload.")]
    public string? Install { get; set; }

    [Option("code", HelpText = "The folder uploaded to every node as ~/code, the jobs' working directory (default: the job file's folder).")]
    public string? Code { get; set; }

    [Option("code-include-secrets", HelpText = "Upload the code folder even though it holds .aws/, .ssh/, the awsrunner home or private keys (refused otherwise; .awsrunnerignore leaves paths out).")]
    public bool CodeIncludeSecrets { get; set; }

    [Option("results", Separator = ',', HelpText = nameof(OptionHelp.Results), ResourceType = typeof(OptionHelp))]
    public IEnumerable<string>? Results { get; set; }

    [Option("max-hours", HelpText = nameof(OptionHelp.MaxHours), ResourceType = typeof(OptionHelp))]
    public double? MaxHours { get; set; }

    [Option("timeout", HelpText = "Stop a job that runs longer than this (e.g. 90s, 30m, 6h); its log and results are still uploaded.")]
    public string? Timeout { get; set; }

    [Option("heartbeat", HelpText = nameof(OptionHelp.Heartbeat), ResourceType = typeof(OptionHelp))]
    public string? Heartbeat { get; set; }

    [Option("nodes-at-once", HelpText = nameof(OptionHelp.NodesAtOnce), ResourceType = typeof(OptionHelp))]
    public int? NodesAtOnce { get; set; }

    // The option's first name, easy to take for --max-parallel: still read, no longer shown.
    [Option("parallel", Hidden = true)]
    public int? Parallel { get; set; }

    [Option("max-upload", HelpText = nameof(OptionHelp.MaxUpload), ResourceType = typeof(OptionHelp))]
    public string? MaxUpload { get; set; }

    [Option("result-part-size", HelpText = nameof(OptionHelp.ResultPartSize), ResourceType = typeof(OptionHelp))]
    public string? ResultPartSize { get; set; }

    [Option("keep-failed", HelpText = "Keep nodes whose INSTALL.sh failed, to look at them (they are terminated otherwise).")]
    public bool KeepFailed { get; set; }

    [Option("retry-lost", HelpText = "Run again, on fresh nodes, the jobs that are lost, hung or gave up uploading (implies --create --dispatch; finished jobs are left alone).")]
    public bool RetryLost { get; set; }

    [Option("max-retries", Default = Defaults.MaxRetries, HelpText = "Run a row again, on any node of its type, up to this many times when its spot instance is taken back or its node is lost (0: never); the nodes do it, with or without --wait.")]
    public int MaxRetries { get; set; }

    [Option("spot-fallback-after", Default = Defaults.SpotFallbackAfter, HelpText = "With --wait --spot: after this many spot nodes in one node's place were taken back, the wait launches its next one on demand.")]
    public int SpotFallbackAfter { get; set; }

    [Option("retry-on-exit", Separator = ',', HelpText = "Exit codes of the command worth another attempt too, e.g. 75,137 (a job that exits non-zero is not retried otherwise).")]
    public IEnumerable<int>? RetryOnExit { get; set; }

    [Option("max-instances", HelpText = "The most nodes of each instance type, N or TYPE=N,TYPE=N (default: one a row). With fewer nodes than rows, each node takes the next row left as it finishes one.")]
    public string? MaxInstances { get; set; }

    [Option("slots", HelpText = "Rows a node runs at once, K or auto (as many as its type has vCPUs; default 1). Each row runs in its own copy of the code folder.")]
    public string? Slots { get; set; }

    [Option("wait", HelpText = "With --dispatch: stay, show progress, return when every job has finished (exit 1 if any failed).")]
    public bool Wait { get; set; }

    [Option("no-progress", HelpText = "Print progress line by line instead of the live view (the default when stdout is not a terminal).")]
    public bool NoProgress { get; set; }

    [Option("key-file", HelpText = "AWS: your own SSH private key; its public half (KEY.pub) becomes the batch's key pair (default: a new key pair, saved as $AWSRUNNER_HOME/NAME/key.pem).")]
    public string? KeyFile { get; set; }

    [Option("ssh-cidr", HelpText = "AWS: the addresses allowed to reach the nodes on SSH, e.g. 203.0.113.7/32 (default: this machine's public address; required with --endpoint-url).")]
    public string? SshCidr { get; set; }

    [Option("subnet", HelpText = "AWS: the subnet to launch into (default: the default VPC's).")]
    public string? Subnet { get; set; }

    [Option("instance-profile", HelpText = "AWS: an IAM instance profile (name or ARN) for the nodes, for jobs that call AWS themselves. The nodes' metadata service then answers 2 network hops away (1 without), so containers on a node can reach the role's credentials too; IMDSv2 tokens are always required.")]
    public string? InstanceProfile { get; set; }

    [Option("volume-size", HelpText = "AWS: each node's root volume in GiB (default: the image's). The root volume is always encrypted.")]
    public int? VolumeSize { get; set; }

    [Option("spot", HelpText = "AWS: launch spot instances; rows whose spot capacity is refused are launched on demand.")]
    public bool Spot { get; set; }

    [Option("secret", Separator = ',', HelpText = "Give every job the environment variable NAME with its value here (NAME=FILE: read from FILE). Repeatable. The value goes to the nodes over SSH only, never into the bucket, batch.json or a log.")]
    public IEnumerable<string>? Secret { get; set; }

    [Option("json", HelpText = "Print the result as JSON.")]
    public bool Json { get; set; }

    public static string Synopsis => "awsrunner dispatch AMI NAME JOBS.csv [--create] [--dispatch] [--wait] [--install INSTALL.sh] [--code DIR] [OPTIONS]";

    public static IReadOnlyList<VerbExample> Examples =>
    [
        new("Check a job file and see the plan (creates nothing)", "awsrunner dispatch ami-0abcdef1234567890 sweep1 jobs/sweep.csv"),
        new("Create the nodes on AWS and start the jobs", "awsrunner dispatch ami-0abcdef1234567890 sweep1 jobs/sweep.csv --region eu-west-1 --install install/setup.sh --create --dispatch"),
        new("Run the demo batch on this machine and wait for it", "awsrunner dispatch local demo jobs/demo.csv --cloud local --install install/demo.sh --create --dispatch --wait"),
    ];
}
