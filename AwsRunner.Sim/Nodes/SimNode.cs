using System.Diagnostics;
using Amazon.Runtime;
using AwsRunner.Sim.Ec2;
using AwsRunner.Sim.Ssh;
using Microsoft.Extensions.Logging;

namespace AwsRunner.Sim.Nodes;

/// <summary>
/// One running instance as a node on this machine. It boots as an instance does: its user data runs, then its sshd
/// starts (on a free 127.0.0.1 port, put in the address map), letting in the instance's key pair. It goes down when
/// its own shutdown asks (and then terminates its instance) or when its instance is terminated: its sshd and every
/// process it started end. Its folder stays, to be looked at (with the fleet's own temporary folder, until the fleet stops).
/// </summary>
internal sealed partial class SimNode(
    FleetInstance instance,
    NodeFolder folder,
    FleetSettings settings,
    FleetEc2 ec2,
    AddressMap map,
    TimeProvider time,
    ILogger<SimNode> logger) : IDisposable
{
    private const int SshdAttempts = 3;
    private const UnixFileMode OwnerExecutable = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    private readonly CancellationTokenSource stopping = new();
    private Task boot = Task.CompletedTask;
    private SshdProcess? sshd;
    private PowerRequest? powerRequest;
    private DateTimeOffset? powerOffAt;

    public string InstanceId => instance.InstanceId;

    /// <summary>Whether the node was told to go down (it may still be going).</summary>
    public bool Stopped { get; private set; }

    public void Boot() => boot = BootAsync(stopping.Token);

    /// <summary>Reads the node's power-off request; true once the power-off it asks for is due.</summary>
    public bool PowerOffDue(DateTimeOffset now)
    {
        PowerRequest? request;
        try
        {
            request = File.Exists(folder.PowerRequest)
                ? new PowerRequest(File.ReadAllText(folder.PowerRequest).Trim(), File.GetLastWriteTimeUtc(folder.PowerRequest))
                : null;
        }
        catch (IOException)
        {
            return false;
        }

        if (request != powerRequest)
        {
            // A new request replaces the one before, as a new shutdown does.
            powerRequest = request;
            if (request is null)
            {
                powerOffAt = null;
                LogPowerOffCancelled(logger, InstanceId);
            }
            else
            {
                var minutes = int.TryParse(request.Minutes, out var m) ? m : 0;
                powerOffAt = now + (settings.Minute * minutes);
                LogPowerOffRequested(logger, InstanceId, minutes, settings.Minute * minutes);
            }
        }

        return powerOffAt <= now;
    }

    /// <summary>The node powers off: it goes down, and its instance is terminated (awsrunner launches with shutdown behaviour terminate).</summary>
    public async Task PowerOffAsync(CancellationToken cancellationToken)
    {
        LogPoweringOff(logger, InstanceId);
        await StopAsync().ConfigureAwait(false);
        try
        {
            await ec2.TerminateAsync(InstanceId, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is AmazonServiceException or HttpRequestException or OperationCanceledException)
        {
            LogTerminateFailed(logger, InstanceId, e.Message);
        }
    }

    /// <summary>Ends the boot if it still runs, the sshd, and every process of the node.</summary>
    /// <remarks>Not cancellable: a node taken half down would leave processes behind.</remarks>
    public async Task StopAsync()
    {
        Stopped = true;
        await stopping.CancelAsync().ConfigureAwait(false);
        await boot.ConfigureAwait(false);
        map.Remove(instance.Addresses);
        if (sshd is not null)
        {
            await sshd.DisposeAsync().ConfigureAwait(false);
        }

        var left = await TaggedProcesses.KillAllAsync(NodeFolder.TagVariable, folder.Tag, time).ConfigureAwait(false);
        if (left.Count > 0)
        {
            LogSurvivors(logger, InstanceId, left);
        }

        LogStopped(logger, InstanceId);
    }

    public void Dispose() => stopping.Dispose();

    private async Task BootAsync(CancellationToken cancellationToken)
    {
        try
        {
            folder.Create(instance);
            await SshKeygen.GenerateAsync(folder.HostKey, instance.InstanceId, cancellationToken).ConfigureAwait(false);
            folder.Authorize(instance.KeyName is { } keyName ? await ec2.PublicKeyAsync(keyName, cancellationToken).ConfigureAwait(false) : null);
            await RunUserDataAsync(cancellationToken).ConfigureAwait(false);
            if (settings.SshdDelay > TimeSpan.Zero)
            {
                LogSshdDelayed(logger, InstanceId, settings.SshdDelay);
                await Task.Delay(settings.SshdDelay, time, cancellationToken).ConfigureAwait(false);
            }

            sshd = await StartSshdAsync(cancellationToken).ConfigureAwait(false);
            map.Add(instance.Addresses, sshd.Port);
            LogBooted(logger, InstanceId, instance.InstanceType, instance.Addresses, sshd.Port, folder.Root);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            LogBootCut(logger, InstanceId);
        }
        catch (Exception e) when (e is AmazonServiceException or HttpRequestException or InvalidOperationException or IOException
            or UnauthorizedAccessException or TimeoutException or FormatException)
        {
            LogBootFailed(logger, InstanceId, e.Message);
        }
    }

    /// <summary>Runs a <c>#!</c> user data script as cloud-init would, with the node's commands first on its PATH.</summary>
    private async Task RunUserDataAsync(CancellationToken cancellationToken)
    {
        var userData = await ec2.UserDataAsync(InstanceId, cancellationToken).ConfigureAwait(false);
        if (string.IsNullOrEmpty(userData))
        {
            return;
        }

        if (!userData.StartsWith("#!", StringComparison.Ordinal))
        {
            LogUserDataSkipped(logger, InstanceId);
            return;
        }

        await File.WriteAllTextAsync(folder.UserData, userData, cancellationToken).ConfigureAwait(false);
        File.SetUnixFileMode(folder.UserData, OwnerExecutable);
        var start = new ProcessStartInfo("/bin/bash", ["-c", "exec \"$0\" > \"$1\" 2>&1 < /dev/null", folder.UserData, folder.UserDataLog])
        {
            WorkingDirectory = folder.Home,
            UseShellExecute = false,
        };
        start.Environment.Clear();
        foreach (var (name, value) in folder.Environment)
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("the user data did not start");
        using var timeout = new CancellationTokenSource(settings.UserDataTimeout, time);
        using var waiting = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            await process.WaitForExitAsync(waiting.Token).ConfigureAwait(false);
            LogUserDataRan(logger, InstanceId, process.ExitCode);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            LogUserDataStillRunning(logger, InstanceId, settings.UserDataTimeout);
        }
    }

    // The free port is free when looked at; another process may take it before sshd binds it.
    private async Task<SshdProcess> StartSshdAsync(CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var sshdSettings = new SshdSettings(folder.SshdFolder, LoopbackPort.Free(), folder.HostKey, folder.AuthorizedKeys, folder.ForceCommand)
            {
                Environment = folder.Environment,
            };
            try
            {
                return await SshdProcess.StartAsync(sshdSettings, cancellationToken).ConfigureAwait(false);
            }
            catch (InvalidOperationException) when (attempt < SshdAttempts)
            {
                LogSshdRetry(logger, InstanceId, sshdSettings.Port);
            }
        }
    }

    /// <summary>What the node's shutdown last wrote (its minutes) and when: the same words written again are a new request.</summary>
    private sealed record PowerRequest(string Minutes, DateTime Written);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Instance} ({Type}, {Addresses}) is up: sshd on 127.0.0.1:{Port}, node in {Folder}")]
    private static partial void LogBooted(ILogger logger, string instance, string type, IReadOnlyList<string> addresses, int port, string folder);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Instance}: sshd starts in {Delay}")]
    private static partial void LogSshdDelayed(ILogger logger, string instance, TimeSpan delay);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Instance}: sshd could not listen on port {Port}; trying another")]
    private static partial void LogSshdRetry(ILogger logger, string instance, int port);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Instance}: user data exited with {ExitCode}")]
    private static partial void LogUserDataRan(ILogger logger, string instance, int exitCode);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Instance}: user data still runs after {Timeout}; starting sshd anyway")]
    private static partial void LogUserDataStillRunning(ILogger logger, string instance, TimeSpan timeout);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Instance}: user data is not a #! script (cloud-config and the like are not simulated); not run")]
    private static partial void LogUserDataSkipped(ILogger logger, string instance);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Instance}: boot cut short, the instance is gone")]
    private static partial void LogBootCut(ILogger logger, string instance);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Instance}: boot failed, the node stays unreachable: {Error}")]
    private static partial void LogBootFailed(ILogger logger, string instance, string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Instance}: shutdown asks for power-off in {Minutes} minutes ({Delay} here)")]
    private static partial void LogPowerOffRequested(ILogger logger, string instance, int minutes, TimeSpan delay);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Instance}: scheduled power-off cancelled")]
    private static partial void LogPowerOffCancelled(ILogger logger, string instance);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Instance}: powering off; its instance is terminated")]
    private static partial void LogPoweringOff(ILogger logger, string instance);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Instance}: could not terminate the instance after its power-off: {Error}")]
    private static partial void LogTerminateFailed(ILogger logger, string instance, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Instance}: processes {Pids} outlived the node")]
    private static partial void LogSurvivors(ILogger logger, string instance, IReadOnlyList<int> pids);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Instance}: node down")]
    private static partial void LogStopped(ILogger logger, string instance);
}
