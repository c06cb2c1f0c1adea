using AwsRunner.Cli;
using AwsRunner.Cli.Verbs;
using AwsRunner.Core;

namespace AwsRunner.Tests.Cli;

[TestFixture]
public sealed class CloudFactoryTests
{
    [Test]
    public void SshOptionsFor_NoSshOptions_UsesUbuntuAndTheDefaultTimeouts()
    {
        var options = CloudFactory.SshOptionsFor(new SshVerb());

        Assert.That(options.User, Is.EqualTo("ubuntu"));
        Assert.That(options.ConfigFile, Is.Null);
        Assert.That(options.BootTimeout, Is.EqualTo(TimeSpan.FromMinutes(5)));
    }

    [Test]
    public void SshOptionsFor_UserConfigAndBootTimeout_AreTaken()
    {
        var options = CloudFactory.SshOptionsFor(new LogsVerb { SshUser = "ec2-user", SshConfig = "fleet.conf", BootTimeout = "90s" });

        Assert.That(options.User, Is.EqualTo("ec2-user"));
        Assert.That(options.ConfigFile, Is.EqualTo("fleet.conf"));
        Assert.That(options.BootTimeout, Is.EqualTo(TimeSpan.FromSeconds(90)));
    }

    [Test]
    public void SshOptionsFor_MalformedBootTimeout_IsBadInput()
    {
        var error = Assert.Throws<InvalidInputException>(() => CloudFactory.SshOptionsFor(new SshVerb { BootTimeout = "soon" }))!;

        Assert.That(error.Message, Does.Contain("--boot-timeout"));
    }
}
