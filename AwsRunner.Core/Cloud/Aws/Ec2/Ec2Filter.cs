namespace AwsRunner.Core.Cloud.Aws.Ec2;

/// <summary>A Describe* filter, such as <c>tag:awsrunner:batch</c> = <c>sweep1</c>.</summary>
internal sealed record Ec2Filter(string Name, IReadOnlyList<string> Values)
{
    public Ec2Filter(string name, string value)
        : this(name, [value])
    {
    }
}
