using System.Diagnostics;

namespace AwsRunner.Core.Cloud;

/// <summary>Runs a program to completion, streaming its input and collecting its output; cancellation kills it.</summary>
internal static class ChildProcess
{
    /// <summary>Runs a program on this process's own standard input, output and error (the terminal), to completion.</summary>
    public static async Task<int> AttachAsync(ProcessStartInfo start, CancellationToken cancellationToken)
    {
        start.RedirectStandardInput = false;
        start.RedirectStandardOutput = false;
        start.RedirectStandardError = false;
        start.UseShellExecute = false;
        using var process = Process.Start(start)
            ?? throw new InvalidOperationException($"could not start {start.FileName}");
        try
        {
            await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
            return process.ExitCode;
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
    }

    /// <summary>
    /// Runs a program with this process's standard output (the terminal, where it may draw progress) and its error
    /// output collected, to completion.
    /// </summary>
    public static async Task<ShellResult> RunShowingOutputAsync(ProcessStartInfo start, CancellationToken cancellationToken)
    {
        start.RedirectStandardInput = true;
        start.RedirectStandardOutput = false;
        start.RedirectStandardError = true;
        start.UseShellExecute = false;
        using var process = Process.Start(start)
            ?? throw new InvalidOperationException($"could not start {start.FileName}");
        try
        {
            process.StandardInput.Close();
            var error = process.StandardError.ReadToEndAsync(cancellationToken);
            await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
            return new ShellResult(process.ExitCode, "", await error.ConfigureAwait(false));
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
    }

    public static async Task<ShellResult> RunAsync(ProcessStartInfo start, Stream? input, CancellationToken cancellationToken)
    {
        start.RedirectStandardInput = true;
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.UseShellExecute = false;
        using var process = Process.Start(start)
            ?? throw new InvalidOperationException($"could not start {start.FileName}");
        try
        {
            var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
            var error = process.StandardError.ReadToEndAsync(cancellationToken);
            await FeedAsync(process, input, cancellationToken).ConfigureAwait(false);
            await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
            return new ShellResult(process.ExitCode, await output.ConfigureAwait(false), await error.ConfigureAwait(false));
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
    }

    private static async Task FeedAsync(Process process, Stream? input, CancellationToken cancellationToken)
    {
        var stdin = process.StandardInput.BaseStream;
        try
        {
            if (input is not null)
            {
                await input.CopyToAsync(stdin, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (IOException)
        {
            // The program closed its input early; its exit code and error output say why.
        }
        finally
        {
            try
            {
                stdin.Close();
            }
            catch (IOException)
            {
                // Closing a pipe the program already closed: nothing left to tell it.
            }
        }
    }
}
