using System.Diagnostics;

namespace AwsRunner.Sim.Ssh;

/// <summary>OpenSSH's ssh-keygen, for host keys and test clients' keys.</summary>
internal static class SshKeygen
{
    public const string Program = "/usr/bin/ssh-keygen";

    /// <summary>Writes a new ed25519 key pair without a passphrase: the private half at <paramref name="path"/>, the public one at <c>path.pub</c>.</summary>
    public static async Task GenerateAsync(string path, string comment, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(Program, ["-q", "-t", "ed25519", "-N", "", "-C", comment, "-f", path])
        {
            UseShellExecute = false,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start) ?? throw new InvalidOperationException("ssh-keygen did not start");
        var error = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"ssh-keygen -f {path} exited with {process.ExitCode}: {(await error.ConfigureAwait(false)).Trim()}");
        }
    }
}
