using System.Diagnostics;
using System.Net.Sockets;
using AwsRunner.Tests.Support;

namespace AwsRunner.Tests.Sim;

/// <summary>The fleet itself: where its ssh_config leads, and that stopping it leaves nothing running.</summary>
[TestFixture]
[Parallelizable(ParallelScope.Self)]
public sealed class FleetLifetimeTests
{
    [Test]
    public async Task SshConfig_AddressOfNoInstance_IsRefusedByTheProxyWithoutConnectingAnywhere()
    {
        using var folder = new TempFolder();
        await using var fleet = await SimulatedFleet.StartAsync(folder.Combine("fleet"));
        var start = new ProcessStartInfo("ssh", ["-F", fleet.SshConfig, "-o", "BatchMode=yes", "-o", "ConnectTimeout=5", "-l", fleet.SshUser, "198.51.100.7", "true"])
        {
            RedirectStandardError = true,
            UseShellExecute = false,
        };

        using var ssh = Process.Start(start)!;
        var error = await ssh.StandardError.ReadToEndAsync();
        await ssh.WaitForExitAsync();

        Assert.That(ssh.ExitCode, Is.EqualTo(255));
        Assert.That(error, Does.Contain("awsrunner fleet: no instance answers SSH at 198.51.100.7"));
    }

    [Test]
    public async Task Stop_WithANodeUp_EndsItsSshdEveryProcessOfItAndMoto()
    {
        using var folder = new TempFolder();
        var fleet = await SimulatedFleet.StartAsync(folder.Combine("fleet"));
        await using (fleet)
        {
            using var batch = new FleetBatch(fleet, "fleet-stop");
            batch.Write("code/jobs.csv", "instance_type,command\nt3.micro,true\n");
            var create = await batch.Cli.RunAsync(["dispatch", SimulatedFleet.Image, batch.Name, batch.JobFile, "--create", "--no-progress", "--ssh-cidr", "127.0.0.1/32", .. fleet.AwsOptions]);
            Assert.That(create.ExitCode, Is.Zero, create.ToString());
            var sshdPort = int.Parse(File.ReadAllLines(Path.Combine(fleet.Folder, "ports"))[0].Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
            Assert.That(fleet.AllNodeProcesses(), Is.Not.Empty, "the node runs its sshd and the runner's dead man's switch");

            var exitCode = await fleet.StopAsync();

            Assert.Multiple(() =>
            {
                Assert.That(exitCode, Is.Zero, fleet.Log);
                Assert.That(fleet.AllNodeProcesses(), Is.Empty);
                Assert.That(Refused(sshdPort), Is.True, "the node's sshd still listens");
                Assert.That(Refused(fleet.Endpoint.Port), Is.True, "moto_server still listens");
            });
        }
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
