using AwsRunner.Core.Cloud;

namespace AwsRunner.Core.Dispatch;

/// <summary>A node whose install has ended well, handed from the create to the start of its work.</summary>
/// <param name="Seat">Its seat (the row it starts its walk at).</param>
/// <param name="Node">Its node.</param>
internal sealed record ReadyNode(int Seat, NodeInstance Node);
