using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using AwsRunner.Core.Cloud.Aws;
using AwsRunner.Core.Cloud.Aws.Ec2;
using AwsRunner.Tests.Support;

namespace AwsRunner.Tests.Sim;

/// <summary>
/// A fleet whose nodes start sshd only seconds after their instance runs, as slow images do. Its last test stops it as
/// Ctrl-C would, and finds nothing of it left running.
/// </summary>
[TestFixture]
[Parallelizable(ParallelScope.Self)]
public sealed class SlowBootFleetTests
{
    private const int SshdDelaySeconds = 4;

    private TempFolder? fleetFolder;
    private SimulatedFleet? fleet;

    private SimulatedFleet Fleet => fleet ?? throw new InvalidOperationException("no fleet");

    [OneTimeSetUp]
    public async Task StartFleetAsync()
    {
        fleetFolder = new TempFolder();
        fleet = await SimulatedFleet.StartAsync(fleetFolder.Combine("fleet"), "--sshd-delay", $"{SshdDelaySeconds}s");
    }

    [OneTimeTearDown]
    public async Task StopFleetAsync()
    {
        if (fleet is not null)
        {
            await fleet.DisposeAsync();
        }

        fleetFolder?.Dispose();
    }

    [Test]
    [Order(1)]
    public async Task Dispatch_SshdStartsSecondsAfterTheInstanceRuns_WaitsForItAndSucceeds()
    {
        using var batch = new FleetBatch(Fleet, "fleet-late-sshd");
        batch.Write("code/jobs.csv", """
            instance_type,command
            t3.micro,mkdir -p output && hostname > output/host.txt
            c5.large,mkdir -p output && hostname > output/host.txt
            """);

        var dispatch = await batch.DispatchAsync("-v");
        var instances = await batch.WaitTerminatedAsync(TimeSpan.FromSeconds(60));
        var status = await batch.StatusAsync();
        var left = await batch.LeftoversAsync();

        Assert.Multiple(() =>
        {
            Assert.That(dispatch.ExitCode, Is.Zero, dispatch.ToString());
            Assert.That(dispatch.Output, Does.Contain("2 of 2 nodes started"));
            Assert.That(dispatch.Error, Does.Contain("does not answer yet"), "awsrunner had to wait for sshd");
            Assert.That(Fleet.Log, Does.Contain($"sshd starts in 00:00:0{SshdDelaySeconds}"));
            Assert.That(instances, Has.Count.EqualTo(2));
            Assert.That(FleetBatch.States(status), Is.All.EqualTo("done"));
            Assert.That(left, Is.Empty);
        });
    }

    [Test]
    [Order(2)]
    public async Task Stop_WithANodeUp_EndsItsSshdEveryProcessOfItAndMoto()
    {
        var key = fleetFolder!.Combine("key.pem");
        var instance = await LaunchAsync(Fleet, key);
        var ports = Path.Combine(Fleet.Folder, "ports");
        var sshdPort = await Eventually.WaitAsync(
            () => File.ReadAllLines(ports).Select(line => line.Split(' ')).FirstOrDefault(e => e[0] == instance.PublicIp)?[1],
            port => port is not null,
            TimeSpan.FromSeconds(30),
            "the node's sshd");
        await DetachOnNodeAsync(Fleet, key, instance.PublicIp!, "sleep 600");
        await Eventually.WaitAsync(() => Fleet.NodeProcesses(instance.InstanceId).Count > 0, TimeSpan.FromSeconds(10), "the node's sleep");
        Assert.That(Fleet.SshdRunning(instance.InstanceId), Is.True);

        var exitCode = await Fleet.StopAsync();

        Assert.Multiple(() =>
        {
            Assert.That(exitCode, Is.Zero, Fleet.Log);
            Assert.That(Fleet.AllNodeProcesses(), Is.Empty);
            Assert.That(Fleet.SshdRunning(instance.InstanceId), Is.False);
            Assert.That(Refused(int.Parse(sshdPort!, CultureInfo.InvariantCulture)), Is.True, "the node's sshd still listens");
            Assert.That(Refused(Fleet.Endpoint.Port), Is.True, "moto_server still listens");
        });
    }

    /// <summary>An instance launched through the API as awsrunner launches one (key pair, security group, user data).</summary>
    private static async Task<Ec2Instance> LaunchAsync(SimulatedFleet fleet, string keyFile)
    {
        const string Name = "fleet-stop";
        var ec2 = fleet.Ec2;
        await File.WriteAllTextAsync(keyFile, await ec2.CreateKeyPairAsync(Name, [], CancellationToken.None));
        File.SetUnixFileMode(keyFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var vpc = await ec2.FindDefaultVpcAsync(CancellationToken.None);
        var group = await ec2.CreateSecurityGroupAsync(Name, "fleet test", vpc!, [], CancellationToken.None);
        var spec = new RunInstancesSpec(SimulatedFleet.Image, "t3.micro", 1, Name, Name, group, DeadMansSwitch.UserData(DateTimeOffset.UtcNow.AddHours(1)), AwsTags.Of(Name));
        return (await ec2.RunInstancesAsync(spec, CancellationToken.None)).Single();
    }

    /// <summary>Starts a command on the node, detached from the session, as the node runner starts its steps.</summary>
    private static async Task DetachOnNodeAsync(SimulatedFleet fleet, string keyFile, string address, string command)
    {
        var start = new ProcessStartInfo("ssh",
        [
            "-F", fleet.SshConfig, "-i", keyFile, "-l", fleet.SshUser, "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=no",
            "-o", "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR", address, $"setsid nohup {command} > /dev/null 2>&1 < /dev/null &",
        ])
        {
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var ssh = Process.Start(start)!;
        var error = await ssh.StandardError.ReadToEndAsync();
        await ssh.WaitForExitAsync();
        Assert.That(ssh.ExitCode, Is.Zero, error);
    }

    private static bool Refused(int port)
    {
        try
        {
            using var client = new TcpClient();
            client.Connect("127.0.0.1", port);
            return false;
        }
        catch (SocketException)
        {
            return true;
        }
    }
}
