using AwsRunner.Core.Jobs;

namespace AwsRunner.Core.Cloud;

/// <summary>What to launch for a batch: one instance per row.</summary>
/// <param name="Batch">The batch's NAME.</param>
/// <param name="ImageId">The machine image (AMI) every node boots from.</param>
/// <param name="Rows">The jobs that need an instance.</param>
/// <param name="MaxLifetime">The dead man's switch: every node powers itself off after this long.</param>
internal sealed record LaunchRequest(string Batch, string ImageId, IReadOnlyList<JobRow> Rows, TimeSpan MaxLifetime)
{
    /// <summary>
    /// Launch what the cloud allows: when it refuses a launch for the account's limits (on EC2 VcpuLimitExceeded,
    /// InstanceLimitExceeded, InsufficientInstanceCapacity), launch fewer instances instead of failing, and say why in
    /// <see cref="LaunchResult.Shortfall"/>. When false, such a refusal fails the launch.
    /// </summary>
    public bool WithinQuota { get; init; }

    /// <summary>Rows to launch on demand even when the cloud launches spot instances (their spot instances were taken back too often).</summary>
    public IReadOnlySet<int> OnDemandRows { get; init; } = new HashSet<int>();
}
