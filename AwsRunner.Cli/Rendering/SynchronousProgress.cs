namespace AwsRunner.Cli.Rendering;

/// <summary>Reports progress on the caller's thread, in order (Progress&lt;T&gt; would post it elsewhere, out of order).</summary>
internal sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
{
    private readonly Lock gate = new();

    public void Report(T value)
    {
        lock (gate)
        {
            report(value);
        }
    }
}
