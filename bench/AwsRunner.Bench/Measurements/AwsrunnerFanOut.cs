using System.Diagnostics;
using AwsRunner.Bench.Infrastructure;
using AwsRunner.Core.Cloud.Aws;

namespace AwsRunner.Bench.Measurements;

/// <summary>
/// awsrunner's side of the fan-out: the real CLI, <c>dispatch --create --dispatch</c> of one job a node, pointed at the
/// fleet with the options every user has, on either SSH transport: in process through the fleet's SOCKS5 endpoint
/// (<c>--ssh-proxy</c>, the default transport) or OpenSSH through its ssh_config (<c>--ssh-config</c>). It launches the
/// instances itself; the clock starts when the suite's own watch sees them all running, and stops when the CLI exits,
/// which it does once every node has confirmed its job.
/// </summary>
internal static class AwsrunnerFanOut
{
    public const string Tool = "awsrunner";

    public static string Label(bool openSsh) => openSsh ? $"{Tool} (OpenSSH)" : $"{Tool} (SSH.NET)";

    public static async Task<FanOutRun> RunAsync(FanOutSetup setup, bool openSsh, int? parallel, CancellationToken cancellationToken)
    {
        var context = setup.Context;
        var (folder, name) = setup.NextRun();
        var jobFile = Path.Combine(folder, "jobs.csv");
        await File.WriteAllTextAsync(jobFile, "instance_type,command\n" + string.Concat(Enumerable.Repeat($"{FanOutSetup.InstanceType},{FanOutSetup.Job}\n", setup.Nodes)), cancellationToken);
        string[] arguments =
        [
            "dispatch", FanOutSetup.Image, name, jobFile, "--create", "--dispatch", "--no-progress",
            "--code", setup.Code.Folder, "--install", setup.Code.Install,
            "--cloud", "aws", "--region", ToolEnvironment.Region, "--endpoint-url", context.Moto.Url.ToString(), "--ssh-cidr", "127.0.0.1/32",
            "--ssh-user", setup.Fleet.SshUser, .. openSsh ? ["--ssh-config", setup.Fleet.SshConfig] : new[] { "--ssh-proxy", setup.Fleet.SshProxy },
            .. parallel is { } p ? new[] { "--nodes-at-once", p.ToString(System.Globalization.CultureInfo.InvariantCulture) } : [],
        ];

        setup.Fleet.ResetConnections();
        using var stopWatching = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var watch = AllRunningWatch.WaitAsync(setup.Fleet.Ec2, AwsTags.Filter(name), setup.Nodes, stopWatching.Token);
        ToolResult result;
        long exited;
        try
        {
            (result, exited) = await setup.Reaped.RunAsync(
                context.Tools, context.Cli, arguments, folder, cancellationToken, new Dictionary<string, string?> { ["AWSRUNNER_HOME"] = Path.Combine(folder, "h") });
        }
        catch
        {
            await stopWatching.CancelAsync();
            await context.Moto.ResetAsync(cancellationToken);
            throw;
        }

        var (running, instances) = await watch;
        var connections = setup.Fleet.Connections;
        var label = parallel is null ? Label(openSsh) : $"{Label(openSsh)} --nodes-at-once {parallel}";
        if (!result.Output.Contains($"{setup.Nodes} of {setup.Nodes} nodes started", StringComparison.Ordinal))
        {
            await setup.FinishAsync(label, instances, cancellationToken);
            throw new InvalidOperationException($"{label} did not start every job:\n{result.Output}\n{result.Error}");
        }

        var lastJob = await setup.FinishAsync(label, instances, cancellationToken);
        return new FanOutRun(label, Stopwatch.GetElapsedTime(running, Math.Max(exited, lastJob)), result.Cpu, connections, [], result.PeakKiB);
    }
}
