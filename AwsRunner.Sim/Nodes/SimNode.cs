using System.Diagnostics;
using System.Globalization;
using Amazon.Runtime;
using AwsRunner.Sim.Ec2;
using AwsRunner.Sim.Spot;
using AwsRunner.Sim.Ssh;
using Microsoft.Extensions.Logging;

namespace AwsRunner.Sim.Nodes;

/// <summary>
/// One running instance as a node on this machine. It boots as an instance does: its user data runs, then its sshd
/// starts (on a free 127.0.0.1 port, put in the address map), letting in the instance's key pair. It reboots when its
/// own shutdown or the fleet asks: every process of it ends, sshd too, its folder (its disk) stays, and it boots again,
/// where a boothook runs again and sshd comes back with the same host key. It goes down when its own shutdown asks
/// (and then terminates its instance) or when its instance is terminated: its sshd and every process it started end.
/// Its folder stays, to be looked at (with the fleet's own temporary folder, until the fleet stops).
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

    // A reboot and the node's end take turns: neither ever sees the node half taken down.
    private readonly SemaphoreSlim transitions = new(1, 1);
    private readonly Lock powerGate = new();
    private CancellationTokenSource booting = new();
    private Task boot = Task.CompletedTask;
    private SshdProcess? sshd;
    private int sshdPort;
    private int rebooting;
    private PowerRequest? powerRequest;
    private (PowerAction Action, DateTimeOffset At)? powerDue;

    public string InstanceId => instance.InstanceId;

    public FleetInstance Instance => instance;

    /// <summary>When the fleet first booted the node.</summary>
    public DateTimeOffset BootedAt { get; private set; }

    /// <summary>The spot interruption the instance is to have, when it is to have one.</summary>
    public Interruption? Interruption { get; set; }

    /// <summary>Whether the node was told to go down (it may still be going).</summary>
    public bool Stopped { get; private set; }

    /// <summary>Whether a reboot is under way (its power requests are the next boot's business).</summary>
    public bool Rebooting => Volatile.Read(ref rebooting) != 0;

    /// <summary>The first boot: the node's folder is laid out, then it boots.</summary>
    public void Boot()
    {
        BootedAt = time.GetUtcNow();
        StartBoot(first: true);
    }

    /// <summary>Reads the node's power request; the action it asks for once that is due, else null.</summary>
    public PowerAction? DuePowerAction(DateTimeOffset now)
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
            return null;
        }

        lock (powerGate)
        {
            if (request != powerRequest)
            {
                // A new request replaces the one before, as a new shutdown does.
                powerRequest = request;
                powerDue = null;
                if (request is null)
                {
                    LogPowerCancelled(logger, InstanceId);
                }
                else if (request.Parse() is { } asked)
                {
                    var delay = settings.Minute * asked.Minutes;
                    var what = asked.Action == PowerAction.Reboot ? "a reboot" : "a power-off";
                    powerDue = (asked.Action, now + delay);
                    LogPowerRequested(logger, InstanceId, what, asked.Minutes, delay);
                }
                else
                {
                    LogPowerRequestUnreadable(logger, InstanceId, request.Words);
                }
            }

            if (powerDue is { } due && due.At <= now)
            {
                powerDue = null;
                return due.Action;
            }

            return null;
        }
    }

    /// <summary>The node powers off: it goes down, and its instance is terminated (awsrunner launches with shutdown behaviour terminate).</summary>
    public Task PowerOffAsync(CancellationToken cancellationToken)
    {
        LogPoweringOff(logger, InstanceId);
        return TerminateAsync(cancellationToken);
    }

    /// <summary>The node goes down, and its instance is terminated through EC2.</summary>
    public async Task TerminateAsync(CancellationToken cancellationToken)
    {
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

    /// <summary>
    /// Reboots the node: every process of it ends (sshd too), a scheduled shutdown is forgotten (as Linux forgets it),
    /// and it boots again on the same disk. Returns once the processes have ended and the new boot has begun.
    /// </summary>
    /// <remarks>Not cancellable, as <see cref="StopAsync"/>.</remarks>
    public async Task RebootAsync()
    {
        Volatile.Write(ref rebooting, 1);
        await transitions.WaitAsync().ConfigureAwait(false);
        try
        {
            if (Stopped)
            {
                return;
            }

            LogRebooting(logger, InstanceId);
            await TakeDownAsync().ConfigureAwait(false);
            lock (powerGate)
            {
                File.Delete(folder.PowerRequest);
                powerRequest = null;
                powerDue = null;
            }

            if (!Stopped)
            {
                StartBoot(first: false);
            }
        }
        finally
        {
            Volatile.Write(ref rebooting, 0);
            transitions.Release();
        }
    }

    /// <summary>Ends the boot if it still runs, the sshd, and every process of the node.</summary>
    /// <remarks>Not cancellable: a node taken half down would leave processes behind.</remarks>
    public async Task StopAsync()
    {
        Stopped = true;
        await stopping.CancelAsync().ConfigureAwait(false);
        await transitions.WaitAsync().ConfigureAwait(false);
        try
        {
            await TakeDownAsync().ConfigureAwait(false);
            LogStopped(logger, InstanceId);
        }
        finally
        {
            transitions.Release();
        }
    }

    public void Dispose()
    {
        booting.Dispose();
        stopping.Dispose();
        transitions.Dispose();
    }

    private void StartBoot(bool first)
    {
        booting.Dispose();
        booting = CancellationTokenSource.CreateLinkedTokenSource(stopping.Token);
        boot = BootAsync(first, booting.Token);
    }

    /// <summary>What a power-off and a reboot both do: the boot, the sshd and every process of the node end.</summary>
    private async Task TakeDownAsync()
    {
        await booting.CancelAsync().ConfigureAwait(false);
        await boot.ConfigureAwait(false);
        map.Remove(instance.Addresses);
        if (sshd is not null)
        {
            await sshd.DisposeAsync().ConfigureAwait(false);
            sshd = null;
        }

        var left = await TaggedProcesses.KillAllAsync(NodeFolder.TagVariable, folder.Tag, time).ConfigureAwait(false);
        if (left.Count > 0)
        {
            LogSurvivors(logger, InstanceId, left);
        }
    }

    private async Task BootAsync(bool first, CancellationToken cancellationToken)
    {
        try
        {
            if (first)
            {
                folder.Create(instance);
                await SshKeygen.GenerateAsync(folder.HostKey, instance.InstanceId, cancellationToken).ConfigureAwait(false);
                folder.Authorize(instance.KeyName is { } keyName ? await ec2.PublicKeyAsync(keyName, cancellationToken).ConfigureAwait(false) : null);
            }

            await RunUserDataAsync(first, cancellationToken).ConfigureAwait(false);
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

    /// <summary>
    /// Runs the user data's script as cloud-init would (<see cref="BootScript"/>: a <c>#!</c> script at the first boot,
    /// a boothook at every boot, with INSTANCE_ID set as cloud-init sets it), with the node's commands first on its PATH.
    /// </summary>
    private async Task RunUserDataAsync(bool first, CancellationToken cancellationToken)
    {
        var userData = await ec2.UserDataAsync(InstanceId, cancellationToken).ConfigureAwait(false);
        if (string.IsNullOrEmpty(userData))
        {
            return;
        }

        var script = BootScript.Of(userData);
        if (script is null)
        {
            if (first)
            {
                LogUserDataSkipped(logger, InstanceId, userData.Split('\n', 2)[0].TrimEnd());
            }

            return;
        }

        if (!first && !script.EveryBoot)
        {
            return;
        }

        await File.WriteAllTextAsync(folder.UserData, script.Text, cancellationToken).ConfigureAwait(false);
        File.SetUnixFileMode(folder.UserData, OwnerExecutable);
        var start = new ProcessStartInfo("/bin/bash", ["-c", "exec \"$0\" >> \"$1\" 2>&1 < /dev/null", folder.UserData, folder.UserDataLog])
        {
            WorkingDirectory = folder.Home,
            UseShellExecute = false,
        };
        start.Environment.Clear();
        foreach (var (name, value) in folder.Environment)
        {
            start.Environment[name] = value;
        }

        if (script.EveryBoot)
        {
            start.Environment["INSTANCE_ID"] = InstanceId;
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("the user data did not start");
        using var timeout = new CancellationTokenSource(settings.UserDataTimeout, time);
        using var waiting = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            await process.WaitForExitAsync(waiting.Token).ConfigureAwait(false);
            LogUserDataRan(logger, InstanceId, script.EveryBoot ? "boothook" : "user data script", process.ExitCode);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            LogUserDataStillRunning(logger, InstanceId, settings.UserDataTimeout);
        }
    }

    // The free port is free when looked at; another process may take it before sshd binds it. A reboot tries the port
    // of the boot before first, so that the node comes back where it was.
    private async Task<SshdProcess> StartSshdAsync(CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var port = attempt == 1 && sshdPort != 0 ? sshdPort : LoopbackPort.Free();
            var sshdSettings = new SshdSettings(folder.SshdFolder, port, folder.HostKey, folder.AuthorizedKeys, folder.ForceCommand)
            {
                Environment = folder.Environment,
            };
            try
            {
                var started = await SshdProcess.StartAsync(sshdSettings, cancellationToken).ConfigureAwait(false);
                sshdPort = port;
                return started;
            }
            catch (InvalidOperationException) when (attempt < SshdAttempts)
            {
                LogSshdRetry(logger, InstanceId, sshdSettings.Port);
            }
        }
    }

    /// <summary>
    /// What the node's shutdown last wrote ("poweroff MINUTES" or "reboot MINUTES") and when: the same words written
    /// again are a new request.
    /// </summary>
    private sealed record PowerRequest(string Words, DateTime Written)
    {
        public (PowerAction Action, int Minutes)? Parse()
        {
            var words = Words.Split(' ');
            PowerAction? action = words[0] switch
            {
                "poweroff" => PowerAction.PowerOff,
                "reboot" => PowerAction.Reboot,
                _ => null,
            };
            return action is { } asked && words.Length == 2 && int.TryParse(words[1], NumberStyles.None, CultureInfo.InvariantCulture, out var minutes)
                ? (asked, minutes)
                : null;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Instance} ({Type}, {Addresses}) is up: sshd on 127.0.0.1:{Port}, node in {Folder}")]
    private static partial void LogBooted(ILogger logger, string instance, string type, IReadOnlyList<string> addresses, int port, string folder);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Instance}: sshd starts in {Delay}")]
    private static partial void LogSshdDelayed(ILogger logger, string instance, TimeSpan delay);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Instance}: sshd could not listen on port {Port}; trying another")]
    private static partial void LogSshdRetry(ILogger logger, string instance, int port);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Instance}: {What} exited with {ExitCode}")]
    private static partial void LogUserDataRan(ILogger logger, string instance, string what, int exitCode);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Instance}: user data still runs after {Timeout}; starting sshd anyway")]
    private static partial void LogUserDataStillRunning(ILogger logger, string instance, TimeSpan timeout);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Instance}: user data \"{FirstLine}\" is neither a #! script nor a #cloud-boothook followed by one (cloud-config and the like are not simulated); not run")]
    private static partial void LogUserDataSkipped(ILogger logger, string instance, string firstLine);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Instance}: boot cut short")]
    private static partial void LogBootCut(ILogger logger, string instance);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Instance}: boot failed, the node stays unreachable: {Error}")]
    private static partial void LogBootFailed(ILogger logger, string instance, string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Instance}: shutdown asks for {What} in {Minutes} minutes ({Delay} here)")]
    private static partial void LogPowerRequested(ILogger logger, string instance, string what, int minutes, TimeSpan delay);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Instance}: power request \"{Words}\" is not \"poweroff MINUTES\" or \"reboot MINUTES\"; ignored")]
    private static partial void LogPowerRequestUnreadable(ILogger logger, string instance, string words);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Instance}: scheduled shutdown cancelled")]
    private static partial void LogPowerCancelled(ILogger logger, string instance);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Instance}: powering off; its instance is terminated")]
    private static partial void LogPoweringOff(ILogger logger, string instance);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Instance}: rebooting; its processes end, its disk stays")]
    private static partial void LogRebooting(ILogger logger, string instance);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Instance}: could not terminate the instance: {Error}")]
    private static partial void LogTerminateFailed(ILogger logger, string instance, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Instance}: processes {Pids} outlived the node")]
    private static partial void LogSurvivors(ILogger logger, string instance, IReadOnlyList<int> pids);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Instance}: node down")]
    private static partial void LogStopped(ILogger logger, string instance);
}
