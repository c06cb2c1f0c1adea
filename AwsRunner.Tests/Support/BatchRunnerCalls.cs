using AwsRunner.Core.Dispatch;

namespace AwsRunner.Tests.Support;

/// <summary>Short forms of the library's calls that tests make often.</summary>
internal static class BatchRunnerCalls
{
    /// <summary>What a dispatch did.</summary>
    public static async Task<DispatchResult> DispatchResultAsync(
        this BatchRunner runner, DispatchOptions options, IProgress<NodeProgress>? progress = null, CancellationToken cancellationToken = default) =>
        (await runner.DispatchAsync(options, progress, cancellationToken)).Dispatched!;

    /// <summary>A fetch of a batch opened by name, as the command line's fetch does it.</summary>
    public static async Task<FetchResult> FetchAsync(this BatchRunner runner, string name, string output) =>
        await (await runner.OpenAsync(name)).FetchAsync(output);
}
