using AwsRunner.Sim;
using AwsRunner.Sim.Requests;
using AwsRunner.Tests.Support;

namespace AwsRunner.Tests.Sim.Requests;

/// <summary>The interrupt and reboot verbs against a request box, with this test standing in for the fleet.</summary>
public sealed class RequestCommandTests
{
    private TempFolder folder = null!;

    [SetUp]
    public void CreateFolder() => folder = new TempFolder();

    [TearDown]
    public void RemoveFolder() => folder.Dispose();

    [Test]
    public async Task Run_FleetAcknowledges_ExitsZeroWithItsMessage()
    {
        var box = new RequestBox(FleetSettings.RequestsFolderOf(folder.Path));
        using var running = box.Open();
        var fleet = AnswerOnceAsync(box, request => FleetAnswer.Acknowledged($"{request.Command} {request.InstanceId} done"));

        var (exitCode, message) = await RequestCommand.RunAsync(Interrupt("i-1"), TimeProvider.System, CancellationToken.None);
        await fleet;

        Assert.That((exitCode, message), Is.EqualTo((0, "Interrupt i-1 done")));
    }

    [Test]
    public async Task Run_FleetRefuses_ExitsTwo()
    {
        var box = new RequestBox(FleetSettings.RequestsFolderOf(folder.Path));
        using var running = box.Open();
        var fleet = AnswerOnceAsync(box, _ => FleetAnswer.Refused("not a spot instance"));

        var (exitCode, message) = await RequestCommand.RunAsync(Interrupt("i-1"), TimeProvider.System, CancellationToken.None);
        await fleet;

        Assert.That((exitCode, message), Is.EqualTo((2, "not a spot instance")));
    }

    [Test]
    public async Task Run_FolderOfAFleetThatStopped_ExitsThreeAndLeavesNoRequest()
    {
        var box = new RequestBox(FleetSettings.RequestsFolderOf(folder.Path));
        box.Open().Dispose();

        var (exitCode, message) = await RequestCommand.RunAsync(Interrupt("i-1"), TimeProvider.System, CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(exitCode, Is.EqualTo(3));
            Assert.That(message, Does.StartWith("no fleet runs in"));
            Assert.That(Directory.GetFiles(box.Folder, "*.request"), Is.Empty);
        });
    }

    [Test]
    public async Task Run_FolderThatNeverHeldAFleet_ExitsTwo()
    {
        var (exitCode, message) = await RequestCommand.RunAsync(Interrupt("i-1"), TimeProvider.System, CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(exitCode, Is.EqualTo(2));
            Assert.That(message, Does.Contain("is not a simulated fleet's folder"));
        });
    }

    [Test]
    public void Open_WhileAnotherFleetHoldsTheBox_Throws()
    {
        var box = new RequestBox(FleetSettings.RequestsFolderOf(folder.Path));
        using var running = box.Open();

        Assert.Multiple(() =>
        {
            Assert.That(box.FleetRunning(), Is.True);
            Assert.Throws<IOException>(() => box.Open().Dispose());
        });
    }

    private InterruptOptions Interrupt(string instanceId) => new() { Folder = folder.Path, InstanceId = instanceId };

    private static async Task AnswerOnceAsync(RequestBox box, Func<FleetRequest, FleetAnswer> answer)
    {
        var request = await Eventually.WaitAsync(() => box.Take() is [var first, ..] ? first : null, r => r is not null, TimeSpan.FromSeconds(10), "a request");
        box.Answer(request!.Id, answer(request));
    }
}
