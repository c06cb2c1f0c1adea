using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using AwsRunner.Core.Cloud.Aws;
using AwsRunner.Core.Cloud.Aws.Ec2;
using AwsRunner.Tests.Support;

namespace AwsRunner.Tests.Sim;

/// <summary>Stopping the fleet (Ctrl-C, SIGTERM) leaves nothing of it running.</summary>
[TestFixture]
[Parallelizable(ParallelScope.Self)]
public sealed class FleetLifetimeTests
{
    [Test]
    public async Task Stop_WithANodeUp_EndsItsSshdEveryProcessOfItAndMoto()
    {
        using var folder = new TempFolder();
        var fleet = await SimulatedFleet.StartAsync(folder.Combine("fleet"));
        await using (fleet)
        {
            var key = folder.Combine("key.pem");
            var instance = await LaunchAsync(fleet, key);
            var ports = Path.Combine(fleet.Folder, "ports");
            var sshdPort = await Eventually.WaitAsync(
                () => File.ReadAllLines(ports).Select(line => line.Split(' ')).FirstOrDefault(e => e[0] == instance.PublicIp)?[1],
                port => port is not null,
                TimeSpan.FromSeconds(30),
                "the node's sshd");
            await DetachOnNodeAsync(fleet, key, instance.PublicIp!, "sleep 600");
            await Eventually.WaitAsync(() => fleet.NodeProcesses(instance.InstanceId).Count > 0, TimeSpan.FromSeconds(10), "the node's sleep");
            Assert.That(fleet.SshdRunning(instance.InstanceId), Is.True);

            var exitCode = await fleet.StopAsync();

            Assert.Multiple(() =>
            {
                Assert.That(exitCode, Is.Zero, fleet.Log);
                Assert.That(fleet.AllNodeProcesses(), Is.Empty);
                Assert.That(fleet.SshdRunning(instance.InstanceId), Is.False);
                Assert.That(Refused(int.Parse(sshdPort!, CultureInfo.InvariantCulture)), Is.True, "the node's sshd still listens");
                Assert.That(Refused(fleet.Endpoint.Port), Is.True, "moto_server still listens");
            });
        }
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
        var spec = new RunInstancesSpec(SimulatedFleet.Image, "t3.micro", 1, Name, Name, group, DeadMansSwitch.UserData(TimeSpan.FromHours(1)), AwsTags.Of(Name));
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
