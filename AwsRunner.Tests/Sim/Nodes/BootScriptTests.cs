using AwsRunner.Sim.Nodes;

namespace AwsRunner.Tests.Sim.Nodes;

public sealed class BootScriptTests
{
    [Test]
    public void Of_ShebangScript_RunsAtTheFirstBootOnly()
    {
        var script = BootScript.Of("#!/bin/sh\nshutdown -h +60\n");

        Assert.That(script, Is.EqualTo(new BootScript("#!/bin/sh\nshutdown -h +60\n", EveryBoot: false)));
    }

    [Test]
    public void Of_CloudBoothook_RunsItsRestAtEveryBoot()
    {
        var script = BootScript.Of("#cloud-boothook\r\n#!/bin/sh\r\necho $INSTANCE_ID\r\n");

        Assert.That(script, Is.EqualTo(new BootScript("#!/bin/sh\necho $INSTANCE_ID\n", EveryBoot: true)));
    }

    [TestCase("#cloud-boothook\necho no interpreter line\n", TestName = "Of_BoothookWithoutShebang_RunsNothingAsCloudInitCannotExecuteIt")]
    [TestCase("#cloud-config\nruncmd:\n  - [shutdown, -h, +60]\n", TestName = "Of_CloudConfig_RunsNothing")]
    [TestCase("#cloud-boothook", TestName = "Of_BoothookLineAlone_RunsNothing")]
    public void Of_NoScriptCloudInitWouldRun_IsNull(string userData) => Assert.That(BootScript.Of(userData), Is.Null);
}
