namespace AwsRunner.Core.Cloud.Aws;

/// <summary>How to reach AWS and how to launch a batch's instances there (the <c>--cloud aws</c> options).</summary>
public sealed class AwsCloudOptions
{
    /// <summary>The region; when null, the profile's region (<see cref="Profile"/>), else <c>AWS_REGION</c> / <c>AWS_DEFAULT_REGION</c>, else the default profile's.</summary>
    public string? Region { get; init; }

    /// <summary>A profile from the shared config and credentials files; when null, the SDK's default chain (environment, <c>AWS_PROFILE</c>, SSO, instance metadata).</summary>
    public string? Profile { get; init; }

    /// <summary>An EC2- and S3-compatible endpoint (moto, LocalStack) used instead of AWS's own; S3 is then addressed path-style.</summary>
    public string? EndpointUrl { get; init; }

    /// <summary>The user's own private key; its public half (<c>KEYFILE.pub</c>) is imported as the batch's key pair. When null, a key pair is created and its private key saved 0600 as <c>$AWSRUNNER_HOME/NAME/key.pem</c>.</summary>
    public string? KeyFile { get; init; }

    /// <summary>The addresses allowed to reach the nodes on SSH (port 22). When null, this machine's public address /32; with <see cref="EndpointUrl"/> it must be given.</summary>
    public string? SshCidr { get; init; }

    /// <summary>The subnet to launch into; its VPC holds the batch's security group. When null, the default VPC.</summary>
    public string? SubnetId { get; init; }

    /// <summary>An IAM instance profile (name or ARN) the nodes run with, for jobs that call AWS themselves.</summary>
    public string? InstanceProfile { get; init; }

    /// <summary>The size of each node's root volume in GiB; the image's own size when null.</summary>
    public int? VolumeSizeGiB { get; init; }

    /// <summary>Launch spot instances, falling back to on-demand when spot capacity is refused.</summary>
    public bool Spot { get; init; }
}
