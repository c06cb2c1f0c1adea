using AwsRunner.Core.Cloud.Aws.Ec2;

namespace AwsRunner.Core.Cloud.Aws;

/// <summary>Which row of which batch an EC2 instance runs, read from its tags and launch index (see <see cref="RowsTag"/>).</summary>
internal static class NodeMapping
{
    /// <summary>The node an instance is, or null when its tags do not say which row it runs.</summary>
    public static NodeInstance? ToNode(string batch, Ec2Instance instance, IReadOnlyList<int>? rows = null)
    {
        rows ??= RowsTag.Decode(instance.Tags.GetValueOrDefault(RowsTag.Key));
        if (rows is null || instance.AmiLaunchIndex < 0 || instance.AmiLaunchIndex >= rows.Count)
        {
            return null;
        }

        return new NodeInstance(
            batch,
            rows[instance.AmiLaunchIndex],
            instance.InstanceId,
            instance.InstanceType,
            StateOf(instance.State),
            instance.PublicIp ?? instance.PrivateIp,
            instance.LaunchTime,
            instance.Lifecycle == "spot",
            instance.Tags.GetValueOrDefault(AwsTags.SpotRefused));
    }

    private static InstanceState StateOf(string state) => state switch
    {
        "pending" => InstanceState.Pending,
        "running" => InstanceState.Running,
        "stopping" => InstanceState.Stopping,
        "stopped" => InstanceState.Stopped,
        "shutting-down" => InstanceState.ShuttingDown,
        _ => InstanceState.Terminated,
    };
}
