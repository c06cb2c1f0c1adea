namespace AwsRunner.Core.Cloud;

/// <summary>The port to the machines: instances, the key pair and the firewall of a batch.</summary>
internal interface ICloud
{
    /// <summary>Fails with <see cref="InvalidInputException"/> when the image is malformed or does not exist.</summary>
    /// <param name="imageId">The machine image the batch boots from.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the image is known to be usable.</returns>
    Task CheckImageAsync(string imageId, CancellationToken cancellationToken);

    /// <summary>Creates (or finds) the batch's key pair and firewall, so that its nodes can be reached.</summary>
    /// <param name="batch">The batch's NAME.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when both exist.</returns>
    Task PrepareAccessAsync(string batch, CancellationToken cancellationToken);

    /// <summary>
    /// Launches an instance for every row of the request that has none yet; rows that already have a
    /// live instance of the batch adopt it, so a second run never launches twins.
    /// </summary>
    /// <param name="request">The batch, image and rows.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>One instance per requested row (fewer only with <see cref="LaunchRequest.WithinQuota"/>).</returns>
    Task<LaunchResult> LaunchAsync(LaunchRequest request, CancellationToken cancellationToken);

    /// <summary>How many vCPUs (processors) each of these instance types has.</summary>
    /// <param name="instanceTypes">The instance types.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The vCPU count of each type asked for.</returns>
    /// <exception cref="InvalidInputException">A type the cloud does not know.</exception>
    Task<IReadOnlyDictionary<string, int>> GetVcpusAsync(IReadOnlyCollection<string> instanceTypes, CancellationToken cancellationToken);

    /// <summary>
    /// Which of these instance types the cloud does not offer, each with the offered one it most likely meant: asked
    /// once for the whole batch, before anything is created.
    /// </summary>
    /// <param name="instanceTypes">The instance types of the batch's rows.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>Each type not offered, mapped to the one it most likely meant (null when none is close); empty when all are.</returns>
    Task<IReadOnlyDictionary<string, string?>> FindUnknownInstanceTypesAsync(IReadOnlyCollection<string> instanceTypes, CancellationToken cancellationToken);

    /// <summary>Every instance of the batch, terminated ones included, in one call for the whole batch.</summary>
    /// <param name="batch">The batch's NAME.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The batch's instances.</returns>
    Task<IReadOnlyList<NodeInstance>> DescribeAsync(string batch, CancellationToken cancellationToken);

    /// <summary>Terminates instances of the batch and returns once they are terminated.</summary>
    /// <param name="batch">The batch's NAME.</param>
    /// <param name="instanceIds">The instances to terminate.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the instances are gone.</returns>
    Task TerminateAsync(string batch, IReadOnlyCollection<string> instanceIds, CancellationToken cancellationToken);

    /// <summary>Deletes the batch's firewall and key pair (after its instances are gone).</summary>
    /// <param name="batch">The batch's NAME.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when both are gone.</returns>
    Task RemoveAccessAsync(string batch, CancellationToken cancellationToken);

    /// <summary>Every batch that still has live instances, from the cloud's own records.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The batches.</returns>
    Task<IReadOnlyList<BatchInstances>> ListBatchesAsync(CancellationToken cancellationToken);

    /// <summary>
    /// How many nodes of one instance type this cloud runs for a batch whose dispatch caps none; null for one a row.
    /// The local cloud runs as many as it may run jobs at once, so that a row waiting for its turn costs no process.
    /// </summary>
    int? NodesPerType { get; }

    /// <summary>Settings the node runner needs on this cloud (written to the node's <c>node.env</c>).</summary>
    /// <param name="node">The node.</param>
    /// <returns>Variable names and values; empty where the runner's defaults are right.</returns>
    IReadOnlyDictionary<string, string> NodeSettings(NodeInstance node);
}
