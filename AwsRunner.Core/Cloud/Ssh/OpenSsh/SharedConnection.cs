namespace AwsRunner.Core.Cloud.Ssh.OpenSsh;

/// <summary>
/// One node's ControlMaster: the first command opens it, later ones ride on it. Until it is known to be open,
/// commands to the node go one at a time, so that two first commands never race to open two connections.
/// </summary>
internal sealed class SharedConnection(NodeInstance node, string controlPath) : IDisposable
{
    private readonly SemaphoreSlim opening = new(1, 1);
    private volatile bool open;

    public NodeInstance Node { get; } = node;

    public string ControlPath { get; } = controlPath;

    public async Task<T> UseAsync<T>(Func<Task<T>> exchange, Func<T, bool> reachedNode, CancellationToken cancellationToken)
    {
        if (open)
        {
            return await exchange().ConfigureAwait(false);
        }

        await opening.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var result = await exchange().ConfigureAwait(false);
            open = reachedNode(result);
            return result;
        }
        finally
        {
            opening.Release();
        }
    }

    public void Dispose() => opening.Dispose();
}
