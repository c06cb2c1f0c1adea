namespace AwsRunner.Tests.Support;

/// <summary>
/// The moto_server shared by every test that needs AWS APIs (state is reset between tests with moto's own reset
/// call), or one of a test's own. A test that needs it is ignored where moto_server is missing, and fails under CI.
/// </summary>
internal sealed class MotoServer : IAsyncDisposable
{
    private static readonly Lazy<Task<MotoServer?>> Shared = new(() => StartAsync([]));
    private readonly MotoProcess process;

    private MotoServer(MotoProcess process) => this.process = process;

    public Uri Url => process.Url;

    /// <summary>The shared server.</summary>
    public static async Task<MotoServer> RequireAsync() => await Shared.Value.ConfigureAwait(false) ?? Missing();

    /// <summary>A server of the caller's own, started with these environment variables (the caller disposes it).</summary>
    public static async Task<MotoServer> RequireOwnAsync(params (string Name, string Value)[] environment) =>
        await StartAsync(environment).ConfigureAwait(false) ?? Missing();

    public static async Task StopSharedAsync()
    {
        if (Shared.IsValueCreated && await Shared.Value.ConfigureAwait(false) is { } server)
        {
            await server.DisposeAsync().ConfigureAwait(false);
        }
    }

    public Task ResetAsync() => process.ResetAsync();

    public ValueTask DisposeAsync() => process.DisposeAsync();

    private static async Task<MotoServer?> StartAsync((string Name, string Value)[] environment) =>
        await MotoProcess.StartAsync(environment).ConfigureAwait(false) is { } process ? new MotoServer(process) : null;

    private static MotoServer Missing()
    {
        const string Message = "moto_server is not on PATH (pip install 'moto[server]')";
        if (Environment.GetEnvironmentVariable("CI") == "true")
        {
            Assert.Fail(Message);
        }

        Assert.Ignore(Message);
        throw new InvalidOperationException(Message);
    }
}
