using System.Diagnostics;
using System.Globalization;
using AwsRunner.Bench.Infrastructure;
using AwsRunner.Core;
using AwsRunner.Core.Cloud.Aws.Ec2;

namespace AwsRunner.Bench.Measurements;

/// <summary>
/// parallel-ssh's side of the fan-out: the instances are launched with the AWS CLI (a key pair, run-instances), before
/// the clock; the clock starts when the suite's watch sees them all running, and Scripts/pssh-fan-out.sh then waits
/// for every sshd, uploads, runs INSTALL.sh and starts the job with parallel-scp and parallel-ssh.
/// </summary>
internal static class PsshFanOut
{
    public const string Tool = "parallel-ssh";
    private const string Tag = "bench:fan-out";

    public static async Task<FanOutRun> RunAsync(FanOutSetup setup, PsshVariant variant, CancellationToken cancellationToken)
    {
        var context = setup.Context;
        var (folder, name) = setup.NextRun();
        var script = Path.Combine(folder, "pssh-fan-out.sh");
        await File.WriteAllTextAsync(script, EmbeddedText.Read(typeof(PsshFanOut).Assembly, "AwsRunner.Bench.Scripts.pssh-fan-out.sh"), cancellationToken);
        var key = Path.Combine(folder, "key.pem");
        var aws = new[] { "--endpoint-url", context.Moto.Url.ToString(), "--region", ToolEnvironment.Region, "ec2" };
        var keyPair = await context.Tools.RunAsync("aws", [.. aws, "create-key-pair", "--key-name", name, "--query", "KeyMaterial", "--output", "text"], folder, cancellationToken);
        await File.WriteAllTextAsync(key, keyPair.Output.Trim() + "\n", cancellationToken);
        File.SetUnixFileMode(key, UnixFileMode.UserRead | UnixFileMode.UserWrite);

        setup.Fleet.ResetConnections();
        await context.Tools.RunAsync("aws",
            [
                .. aws, "run-instances", "--image-id", FanOutSetup.Image, "--instance-type", FanOutSetup.InstanceType,
                "--count", setup.Nodes.ToString(CultureInfo.InvariantCulture), "--key-name", name,
                "--tag-specifications", $"ResourceType=instance,Tags=[{{Key={Tag},Value={name}}}]", "--query", "Instances[].InstanceId",
            ],
            folder,
            cancellationToken);
        var (running, instances) = await AllRunningWatch.WaitAsync(setup.Fleet.Ec2, new Ec2Filter("tag:" + Tag, name), setup.Nodes, cancellationToken);
        var hosts = Path.Combine(folder, "hosts");
        await File.WriteAllLinesAsync(hosts, instances.Select(i => i.PublicIp ?? throw new InvalidOperationException($"{i.InstanceId} has no address")), cancellationToken);

        ToolResult result;
        long exited;
        try
        {
            (result, exited) = await setup.Reaped.RunAsync(
                context.Tools,
                "/bin/bash",
                [
                    script, variant.Method, variant.Parallel.ToString(CultureInfo.InvariantCulture), hosts, setup.Fleet.SshConfig, key, setup.Fleet.SshUser,
                    setup.Code.Bundle, setup.Code.Source, FanOutSetup.Job,
                ],
                folder,
                cancellationToken);
        }
        catch
        {
            await setup.FinishAsync(Tool, [], cancellationToken);
            throw;
        }

        var connections = setup.Fleet.Connections;
        var lastJob = await setup.FinishAsync($"{Tool} ({variant.Description})", instances, cancellationToken);
        return new FanOutRun($"{Tool}: {variant.Description}", Stopwatch.GetElapsedTime(running, Math.Max(exited, lastJob)), result.Cpu, connections, Steps(result.Error), result.PeakKiB);
    }

    /// <summary>The script's "step NAME MILLISECONDS" lines.</summary>
    private static List<(string Step, TimeSpan Time)> Steps(string error) =>
        error.Split('\n')
            .Select(line => line.Split(' '))
            .Where(words => words is ["step", _, _])
            .Select(words => (words[1], TimeSpan.FromMilliseconds(long.Parse(words[2], CultureInfo.InvariantCulture))))
            .ToList();
}
