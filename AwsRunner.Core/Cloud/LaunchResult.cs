namespace AwsRunner.Core.Cloud;

/// <summary>What a launch gave: an instance for each row it could launch (or adopt), in row order.</summary>
/// <param name="Nodes">The rows' instances; a row the cloud gave none (with <see cref="LaunchRequest.WithinQuota"/>) is not among them.</param>
/// <param name="Shortfall">Why some rows have no instance, in one line (how many were launched, and what the cloud said); null when every row has one.</param>
internal sealed record LaunchResult(IReadOnlyList<NodeInstance> Nodes, string? Shortfall = null);
