using System.Diagnostics;
using Amazon.EC2;
using Amazon.EC2.Model;
using Amazon.Runtime;
using AwsRunner.Tests.Support;

namespace AwsRunner.Tests.Sim;

/// <summary>
/// Instances launched straight through EC2 (AWSSDK.EC2, at the fleet's endpoint) on a simulated fleet, to test the
/// fleet itself: a key pair of their own, OpenSSH to their nodes through the fleet's ssh_config with a known_hosts that
/// records each node's host key at first contact and refuses a changed one, and every instance terminated on dispose.
/// </summary>
internal sealed class FleetNodes : IAsyncDisposable
{
    private static readonly TimeSpan SshTimeout = TimeSpan.FromSeconds(60);

    private readonly SimulatedFleet fleet;
    private readonly TempFolder folder = new();
    private readonly string keyName = "fleet-nodes-" + Guid.NewGuid().ToString("N")[..8];
    private readonly List<string> launched = [];
    private readonly AmazonEC2Client ec2;
    private bool keyCreated;

    public FleetNodes(SimulatedFleet fleet)
    {
        this.fleet = fleet;
        ec2 = new AmazonEC2Client(new BasicAWSCredentials("testing", "testing"), new AmazonEC2Config
        {
            ServiceURL = fleet.Endpoint.ToString(),
            AuthenticationRegion = fleet.Region,
            MaxErrorRetry = 0,
        });
    }

    private string KeyFile => folder.Combine("key.pem");

    private string KnownHosts => folder.Combine("known_hosts");

    /// <summary>
    /// Launches instances of a type as one RunInstances call at the fleet's endpoint (with --vcpu-limit, the proxy that
    /// applies the account's limits); returns those EC2 granted.
    /// </summary>
    public async Task<IReadOnlyList<Instance>> LaunchAsync(string instanceType, string? userData = null, bool spot = false, int minCount = 1, int maxCount = 1)
    {
        await CreateKeyAsync();
        var request = new RunInstancesRequest
        {
            ImageId = SimulatedFleet.Image,
            InstanceType = InstanceType.FindValue(instanceType),
            MinCount = minCount,
            MaxCount = maxCount,
            KeyName = keyName,
            UserData = userData is null ? null : Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(userData)),
        };
        if (spot)
        {
            request.InstanceMarketOptions = new InstanceMarketOptionsRequest { MarketType = MarketType.Spot };
        }

        var instances = (await ec2.RunInstancesAsync(request)).Reservation.Instances;
        launched.AddRange(instances.Select(i => i.InstanceId));
        return instances;
    }

    /// <summary>The instance's state as EC2 tells it now.</summary>
    public async Task<string> StateAsync(string instanceId) =>
        (await ec2.DescribeInstancesAsync(new DescribeInstancesRequest { InstanceIds = [instanceId] }))
            .Reservations.SelectMany(r => r.Instances).Single().State.Name.Value;

    /// <summary>Runs a command on the instance's node over SSH, once its sshd answers.</summary>
    public async Task<CliRun> SshAsync(Instance instance, string command)
    {
        var run = await Eventually.WaitAsync(
            () => Ssh(instance, "true"),
            attempt => attempt.ExitCode == 0 || attempt.Error.Contains("REMOTE HOST IDENTIFICATION HAS CHANGED", StringComparison.Ordinal),
            SshTimeout,
            $"the sshd of {instance.InstanceId}");
        return run.ExitCode == 0 ? Ssh(instance, command) : run;
    }

    /// <summary>Starts a command on the node detached from the session, as awsrunner's node runner starts its steps.</summary>
    public async Task DetachAsync(Instance instance, string command)
    {
        var run = await SshAsync(instance, $"setsid nohup {command} > /dev/null 2>&1 < /dev/null &");
        Assert.That(run.ExitCode, Is.Zero, run.ToString());
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (launched.Count > 0)
            {
                await ec2.TerminateInstancesAsync(new TerminateInstancesRequest { InstanceIds = launched });
            }

            if (keyCreated)
            {
                await ec2.DeleteKeyPairAsync(new DeleteKeyPairRequest { KeyName = keyName });
            }
        }
        finally
        {
            ec2.Dispose();
            folder.Dispose();
        }
    }

    private async Task CreateKeyAsync()
    {
        if (keyCreated)
        {
            return;
        }

        var key = await ec2.CreateKeyPairAsync(new CreateKeyPairRequest { KeyName = keyName, KeyType = KeyType.Ed25519 });
        await File.WriteAllTextAsync(KeyFile, key.KeyPair.KeyMaterial);
        File.SetUnixFileMode(KeyFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        keyCreated = true;
    }

    private CliRun Ssh(Instance instance, string command)
    {
        var start = new ProcessStartInfo("ssh",
        [
            "-F", fleet.SshConfig, "-i", KeyFile, "-l", fleet.SshUser, "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=accept-new",
            "-o", $"UserKnownHostsFile={KnownHosts}", "-o", $"HostKeyAlias={instance.InstanceId}", "-o", "LogLevel=ERROR",
            instance.PublicIpAddress, command,
        ])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var ssh = Process.Start(start)!;
        var output = ssh.StandardOutput.ReadToEndAsync();
        var error = ssh.StandardError.ReadToEnd();
        ssh.WaitForExit();
        return new CliRun(ssh.ExitCode, output.Result, error);
    }
}
