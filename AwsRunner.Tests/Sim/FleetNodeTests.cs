using System.Net;
using System.Text.Json;
using AwsRunner.Core.Cloud.Aws;
using AwsRunner.Sim.Metadata;
using AwsRunner.Tests.Support;

namespace AwsRunner.Tests.Sim;

/// <summary>
/// The simulated fleet's own features, each on instances launched straight through EC2: reboots (on command and from
/// the node), cloud-init's boothooks, the nodes' instance metadata service, and spot interruptions on command. A fleet
/// of its own whose minute lasts 2 s: a spot notice period is 4 s.
/// </summary>
[TestFixture]
[Parallelizable(ParallelScope.Self)]
public sealed class FleetNodeTests
{
    private const int MinuteSeconds = 2;

    // The shutdown -h +4 a reboot must forget: 8 s, time enough to ask for the reboot on a busy machine.
    private const int ShutdownMinutes = 4;

    private static readonly TimeSpan NoticePeriod = TimeSpan.FromSeconds(2 * MinuteSeconds);
    private static readonly TimeSpan NodeTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan ShutdownDelay = TimeSpan.FromSeconds(ShutdownMinutes * MinuteSeconds);

    private TempFolder? fleetFolder;
    private SimulatedFleet? fleet;
    private FleetNodes? nodes;

    private SimulatedFleet Fleet => fleet ?? throw new InvalidOperationException("no fleet");

    private FleetNodes Nodes => nodes ?? throw new InvalidOperationException("no nodes");

    [OneTimeSetUp]
    public async Task StartFleetAsync()
    {
        fleetFolder = new TempFolder();
        fleet = await SimulatedFleet.StartAsync(fleetFolder.Combine("fleet"), "--minute", $"{MinuteSeconds}s");
    }

    [SetUp]
    public void NewNodes() => nodes = new FleetNodes(Fleet);

    [TearDown]
    public async Task TerminateNodesAsync()
    {
        if (nodes is not null)
        {
            await nodes.DisposeAsync();
        }

        if (TestContext.CurrentContext.Result.Outcome.Status == NUnit.Framework.Interfaces.TestStatus.Failed)
        {
            await TestContext.Out.WriteLineAsync("--- the fleet's log\n" + Fleet.Log);
        }
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
    public async Task Reboot_OnCommand_EndsEveryProcessKeepsTheDiskAndHostKeyRunsTheBoothookAgainAndForgetsAPendingShutdown()
    {
        const string Boothook = "#cloud-boothook\n#!/bin/bash\necho \"$INSTANCE_ID\" >> \"$HOME/boots\"\n";
        var instance = (await Nodes.LaunchAsync("t3.micro", Boothook)).Single();
        var written = await Nodes.SshAsync(instance, "echo kept > kept.txt");
        Assert.That(written.ExitCode, Is.Zero, written.ToString());
        await Nodes.DetachAsync(instance, "sleep 600");
        var before = await Eventually.WaitAsync(() => Fleet.NodeProcesses(instance.InstanceId), p => p.Count > 0, NodeTimeout, "the node's sleep");
        var sshdBefore = Fleet.SshdProcess(instance.InstanceId);
        var hostKey = File.ReadAllBytes(Path.Combine(Fleet.NodePath(instance.InstanceId), "sshd", "host_key"));
        var scheduled = await Nodes.SshAsync(instance, $"shutdown -h +{ShutdownMinutes}");
        var shutdownDue = DateTime.UtcNow + ShutdownDelay;
        Assert.That(scheduled.ExitCode, Is.Zero, scheduled.ToString());

        var requested = DateTime.UtcNow;
        var reboot = await Fleet.RebootAsync(instance.InstanceId);
        var rebooted = DateTime.UtcNow;
        var survivors = Fleet.NodeProcesses(instance.InstanceId).Intersect(before).ToList();

        Assert.Multiple(() =>
        {
            Assert.That(reboot.ExitCode, Is.Zero, reboot.ToString());
            Assert.That(reboot.Output, Does.Contain("rebooted"));
            Assert.That(requested, Is.LessThan(shutdownDue - TimeSpan.FromSeconds(MinuteSeconds)), "the reboot was asked too late to show the shutdown forgotten");
            Assert.That(survivors, Is.Empty, "the node's processes before the reboot");
            Assert.That(Fleet.SshdProcess(instance.InstanceId), Is.Not.EqualTo(sshdBefore), "the sshd from before");
        });

        // The known_hosts recorded at first contact refuses a changed host key.
        var after = await Nodes.SshAsync(instance, "cat kept.txt boots");
        Assert.Multiple(() =>
        {
            Assert.That(after.ExitCode, Is.Zero, after.ToString());
            Assert.That(after.Output, Is.EqualTo($"kept\n{instance.InstanceId}\n{instance.InstanceId}\n"), "the disk stays, the boothook ran twice");
            Assert.That(File.ReadAllBytes(Path.Combine(Fleet.NodePath(instance.InstanceId), "sshd", "host_key")), Is.EqualTo(hostKey));
        });

        // Past the shutdown's due time, and past it as if the reboot had re-read the request.
        var wouldBeDue = (shutdownDue > rebooted + ShutdownDelay ? shutdownDue : rebooted + ShutdownDelay) + TimeSpan.FromSeconds(MinuteSeconds);
        await Task.Delay(Later(wouldBeDue));
        Assert.That(await Nodes.StateAsync(instance.InstanceId), Is.EqualTo("running"), "the shutdown -h scheduled before the reboot");
    }

    [Test]
    public async Task Reboot_FromTheNodeByEachOfItsCommands_EndsItsProcessesAndRunsNoFirstBootScriptAgain()
    {
        const string Script = "#!/bin/bash\necho once >> \"$HOME/first-boot\"\n";
        var instance = (await Nodes.LaunchAsync("t3.micro", Script)).Single();

        foreach (var command in new[] { "reboot", "shutdown -r now", "systemctl reboot" })
        {
            await Nodes.DetachAsync(instance, "sleep 600");
            var before = await Eventually.WaitAsync(() => Fleet.NodeProcesses(instance.InstanceId), p => p.Count > 0, NodeTimeout, "the node's sleep");
            var sshdBefore = Fleet.SshdProcess(instance.InstanceId);

            await Nodes.SshAsync(instance, command);

            await Eventually.WaitAsync(
                () => !Fleet.NodeProcesses(instance.InstanceId).Intersect(before).Any() && Fleet.SshdProcess(instance.InstanceId) is { } sshd && sshd != sshdBefore,
                NodeTimeout,
                $"the node to reboot after \"{command}\"");
        }

        var firstBoot = await Nodes.SshAsync(instance, "cat first-boot");
        Assert.Multiple(async () =>
        {
            Assert.That(firstBoot.Output, Is.EqualTo("once\n"), firstBoot.ToString());
            Assert.That(await Nodes.StateAsync(instance.InstanceId), Is.EqualTo("running"));
        });
    }

    [Test]
    public async Task DeadMansSwitch_RebootedNode_IsReArmedAndStillPowersOffAtItsDeadline()
    {
        // Ten real minutes ahead: "+10", 20 s on this fleet, time enough to reboot the node before it fires.
        var userData = DeadMansSwitch.UserData(DateTimeOffset.UtcNow.AddMinutes(10));
        var instance = (await Nodes.LaunchAsync("t3.micro", userData)).Single();
        var power = Path.Combine(Fleet.NodePath(instance.InstanceId), "power");
        await Eventually.WaitAsync(() => File.Exists(power), NodeTimeout, "the switch armed at the first boot");

        var reboot = await Fleet.RebootAsync(instance.InstanceId);
        Assert.That(reboot.ExitCode, Is.Zero, reboot.ToString());
        var rearmed = await Eventually.WaitAsync(() => File.Exists(power) ? File.ReadAllText(power).Trim() : "", p => p.Length > 0, NodeTimeout, "the switch armed again after the reboot");

        Assert.That(rearmed, Does.Match("^poweroff (9|10)$"), "the same deadline, minutes from now");
        await Eventually.WaitAsync(() => Nodes.StateAsync(instance.InstanceId).GetAwaiter().GetResult() == "terminated", TimeSpan.FromSeconds(90), "the rebooted node to power off at its deadline");
    }

    [Test]
    public async Task DeadMansSwitch_BootPastItsDeadline_PowersOffAtOnce()
    {
        var instance = (await Nodes.LaunchAsync("t3.micro", DeadMansSwitch.UserData(DateTimeOffset.UtcNow.AddMinutes(-1)))).Single();

        await Eventually.WaitAsync(() => Nodes.StateAsync(instance.InstanceId).GetAwaiter().GetResult() == "terminated", NodeTimeout, "the node booted past its deadline to power off");
        Assert.That(File.ReadAllText(Path.Combine(Fleet.NodePath(instance.InstanceId), "power")).Trim(), Is.EqualTo("poweroff 0"));
    }

    [Test]
    public async Task Metadata_OfANode_IsServedToItsProcessesAtTheirOwnUrlAsImdsV2()
    {
        var instance = (await Nodes.LaunchAsync("c5.large")).Single();

        var printed = await Nodes.SshAsync(instance, "printenv AWSRUNNER_METADATA_URL");
        var url = printed.Output.Trim();
        using var http = new HttpClient();
        using var tokenRequest = new HttpRequestMessage(HttpMethod.Put, url + "/latest/api/token");
        tokenRequest.Headers.Add(MetadataService.TtlHeader, "60");
        using var token = await http.SendAsync(tokenRequest);
        using var withToken = new HttpRequestMessage(HttpMethod.Get, url + "/latest/meta-data/instance-type");
        withToken.Headers.Add(MetadataService.TokenHeader, await token.Content.ReadAsStringAsync());
        using var type = await http.SendAsync(withToken);
        using var withoutToken = await http.GetAsync(new Uri(url + "/latest/meta-data/instance-id"));

        Assert.Multiple(async () =>
        {
            Assert.That(url, Does.StartWith("http://127.0.0.1:").And.EndWith("/" + instance.InstanceId), printed.ToString());
            Assert.That(token.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(await type.Content.ReadAsStringAsync(), Is.EqualTo("c5.large"));
            Assert.That(withoutToken.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        });
    }

    [Test]
    public async Task Interrupt_SpotInstanceOnCommand_ServesTheNoticeThenTerminatesItAfterTheScaledNoticePeriod()
    {
        var instance = (await Nodes.LaunchAsync("t3.micro", spot: true)).Single();
        await Nodes.DetachAsync(instance, "sleep 600");
        var action = $"{Fleet.MetadataUrl(instance.InstanceId)}/latest/meta-data/spot/instance-action";
        var beforeNotice = await MetadataAsync(instance.InstanceId, "spot/instance-action");

        var interrupt = await Fleet.InterruptAsync(instance.InstanceId);
        var noticed = DateTime.UtcNow;
        var notice = await MetadataAsync(instance.InstanceId, "spot/instance-action");
        var stateAtNotice = await Nodes.StateAsync(instance.InstanceId);
        await Eventually.WaitAsync(() => Nodes.StateAsync(instance.InstanceId).GetAwaiter().GetResult() == "terminated", NodeTimeout, "the interrupted instance to be terminated");
        var terminatedAfter = DateTime.UtcNow - noticed;
        await Eventually.WaitAsync(() => Fleet.NodeProcesses(instance.InstanceId).Count == 0 && !Fleet.SshdRunning(instance.InstanceId), NodeTimeout, "the node to go down");

        Assert.Multiple(() =>
        {
            Assert.That(beforeNotice.Status, Is.EqualTo(HttpStatusCode.NotFound), action);
            Assert.That(interrupt.ExitCode, Is.Zero, interrupt.ToString());
            Assert.That(notice.Status, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(stateAtNotice, Is.EqualTo("running"), "terminated before the notice period was over");
            Assert.That(terminatedAfter, Is.GreaterThan(NoticePeriod - TimeSpan.FromSeconds(1)));
        });
        var terminateAt = DateTime.Parse(JsonDocument.Parse(notice.Body).RootElement.GetProperty("time").GetString()!, System.Globalization.CultureInfo.InvariantCulture).ToUniversalTime();
        Assert.That(terminateAt, Is.EqualTo(noticed + NoticePeriod).Within(TimeSpan.FromSeconds(2)), notice.Body);
    }

    [Test]
    public async Task Interrupt_OnDemandOrUnknownInstance_IsRefusedWithExitCodeTwoAndNothingEnds()
    {
        var instance = (await Nodes.LaunchAsync("t3.micro")).Single();
        await Nodes.SshAsync(instance, "true");

        var onDemand = await Fleet.InterruptAsync(instance.InstanceId);
        var unknown = await Fleet.InterruptAsync("i-00000000000000000");
        var unknownReboot = await Fleet.RebootAsync("i-00000000000000000");
        await Task.Delay(NoticePeriod + TimeSpan.FromSeconds(1));

        Assert.Multiple(async () =>
        {
            Assert.That(onDemand.ExitCode, Is.EqualTo(2), onDemand.ToString());
            Assert.That(onDemand.Error, Does.Contain("is not a spot instance"));
            Assert.That(unknown.ExitCode, Is.EqualTo(2), unknown.ToString());
            Assert.That(unknown.Error, Does.Contain("no instance i-00000000000000000 runs on this fleet"));
            Assert.That(unknownReboot.ExitCode, Is.EqualTo(2), unknownReboot.ToString());
            Assert.That(await Nodes.StateAsync(instance.InstanceId), Is.EqualTo("running"));
        });
    }

    [Test]
    public async Task Interrupt_FolderOfNoRunningFleet_ExitsThree()
    {
        using var stopped = new TempFolder();
        new AwsRunner.Sim.Requests.RequestBox(AwsRunner.Sim.FleetSettings.RequestsFolderOf(stopped.Path)).Open().Dispose();

        var run = await SimulatedFleet.RunProgramAsync("interrupt", "--folder", stopped.Path, "i-0123456789abcdef0");

        Assert.Multiple(() =>
        {
            Assert.That(run.ExitCode, Is.EqualTo(3), run.ToString());
            Assert.That(run.Error, Does.Contain("no fleet runs in"));
        });
    }

    private static TimeSpan Later(DateTime until) => until > DateTime.UtcNow ? until - DateTime.UtcNow : TimeSpan.Zero;

    private async Task<(HttpStatusCode Status, string Body)> MetadataAsync(string instanceId, string key)
    {
        using var http = new HttpClient();
        var url = Fleet.MetadataUrl(instanceId);
        using var tokenRequest = new HttpRequestMessage(HttpMethod.Put, url + "/latest/api/token");
        tokenRequest.Headers.Add(MetadataService.TtlHeader, "60");
        using var token = await http.SendAsync(tokenRequest);
        using var request = new HttpRequestMessage(HttpMethod.Get, $"{url}/latest/meta-data/{key}");
        request.Headers.Add(MetadataService.TokenHeader, await token.Content.ReadAsStringAsync());
        using var answer = await http.SendAsync(request);
        return (answer.StatusCode, await answer.Content.ReadAsStringAsync());
    }
}
