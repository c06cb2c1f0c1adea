namespace AwsRunner.Sim.Faults;

/// <summary>Which way a request reaches AWS: EC2's Query API, S3 signed in a header (the SDK), or S3 presigned (nodes, fetch).</summary>
internal enum AwsLane
{
    Ec2,
    S3,
    S3Presigned,
    Other,
}
