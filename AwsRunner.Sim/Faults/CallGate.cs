namespace AwsRunner.Sim.Faults;

/// <summary>
/// Lets the first <paramref name="pass"/> EC2 calls of <paramref name="action"/> through and holds the next ones back
/// until <see cref="Close"/>, which drops them unanswered and unforwarded: the caller can be killed at a known point
/// (say, between two RunInstances calls) and nothing of a held call ever happens. After that, everything passes.
/// </summary>
internal sealed class CallGate(string action, int pass) : IFaultPolicy
{
    private readonly TaskCompletionSource held = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int calls;

    /// <summary>Completes when a call is held back: the ones before it have been answered.</summary>
    public Task Held => held.Task;

    public async ValueTask<Fault?> DecideAsync(AwsCall call, CancellationToken cancellationToken)
    {
        if (call.Lane != AwsLane.Ec2 || call.Action != action || closed.Task.IsCompleted || Interlocked.Increment(ref calls) <= pass)
        {
            return null;
        }

        held.TrySetResult();
        try
        {
            await closed.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The caller is gone: the call is dropped all the same.
        }

        return Fault.Drop;
    }

    /// <summary>Drops the held calls; every later call passes.</summary>
    public void Close() => closed.TrySetResult();
}
