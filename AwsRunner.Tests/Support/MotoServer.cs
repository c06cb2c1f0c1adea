using AwsRunner.Sim.Moto;
using NUnit.Framework;

namespace AwsRunner.Tests.Support;

/// <summary>
/// One moto_server on a free 127.0.0.1 port, shared by every test that needs AWS APIs; state is reset between
/// tests with moto's own reset call. Nothing ever goes to a real AWS endpoint.
/// </summary>
internal sealed class MotoServer : IAsyncDisposable
{
    private static readonly Lazy<Task<MotoServer?>> Shared = new(() => StartAsync([]));
    private readonly MotoProcess process;

    private MotoServer(MotoProcess process) => this.process = process;

    public Uri Url => process.Url;

    /// <summary>The shared server; a test that needs it is ignored where moto_server is missing, and fails under CI.</summary>
    public static async Task<MotoServer> RequireAsync() => await Shared.Value.ConfigureAwait(false) ?? Missing();

    /// <summary>A server of the caller's own, started with these environment variables (the caller disposes it).</summary>
    public static async Task<MotoServer> RequireOwnAsync(params (string Name, string Value)[] environment) =>
        await StartAsync(environment).ConfigureAwait(false) ?? Missing();

    /// <summary>Fails the test when moto_server is missing under CI; elsewhere, skips it.</summary>
    public static void Require()
    {
        if (MotoProcess.Find() is null)
        {
            Missing();
        }
    }

    public static async Task StopSharedAsync()
    {
        if (Shared.IsValueCreated && await Shared.Value.ConfigureAwait(false) is { } server)
        {
            await server.DisposeAsync().ConfigureAwait(false);
        }
    }

    public Task ResetAsync() => process.ResetAsync(CancellationToken.None);

    public ValueTask DisposeAsync() => process.DisposeAsync();

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

    private static async Task<MotoServer?> StartAsync((string Name, string Value)[] environment) =>
        MotoProcess.Find() is { } program
            ? new MotoServer(await MotoProcess.StartAsync(program, environment, CancellationToken.None).ConfigureAwait(false))
            : null;
}
