using AwsRunner.Core.Cloud;
using AwsRunner.Core.Ledger;

namespace AwsRunner.Core.Dispatch;

/// <summary>A node whose install has ended well, handed from the create to the start of its job.</summary>
/// <param name="Row">The job's row of the ledger.</param>
/// <param name="Node">Its node.</param>
internal sealed record ReadyNode(LedgerRow Row, NodeInstance Node);
