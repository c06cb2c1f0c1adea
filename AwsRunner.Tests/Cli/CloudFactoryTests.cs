using AwsRunner.Cli;
using AwsRunner.Cli.Verbs;
using AwsRunner.Core;
using AwsRunner.Core.Cloud;
using AwsRunner.Core.Dispatch;
using Microsoft.Extensions.Logging.Abstractions;

namespace AwsRunner.Tests.Cli;

[TestFixture]
[NonParallelizable]
public sealed class CloudFactoryTests
{
    private readonly Dictionary<string, string?> saved = [];
    private string home = "";

    [SetUp]
    public void UseDummyCredentials()
    {
        home = Directory.CreateTempSubdirectory("awsrunner-cli-").FullName;
        foreach (var (name, value) in new[] { ("AWS_ACCESS_KEY_ID", "testing"), ("AWS_SECRET_ACCESS_KEY", "testing"), ("AWS_EC2_METADATA_DISABLED", "true") })
        {
            saved[name] = Environment.GetEnvironmentVariable(name);
            Environment.SetEnvironmentVariable(name, value);
        }
    }

    [TearDown]
    public void Restore()
    {
        foreach (var (name, value) in saved)
        {
            Environment.SetEnvironmentVariable(name, value);
        }

        Directory.Delete(home, recursive: true);
    }

    [Test]
    public async Task Open_Aws_WithoutOptions_UsesTheRegionAndEndpointTheBatchWasCreatedWith()
    {
        BatchRecords.Save(home, new BatchRecord("sweep1", "aws", "sweep1", "eu-west-2", "http://127.0.0.1:9/"));

        await using var connection = CloudFactory.Open(new StatusVerb { Name = "sweep1" }, "sweep1", home, NullLoggerFactory.Instance);

        Assert.Multiple(() =>
        {
            Assert.That(connection.Kind, Is.EqualTo("aws"));
            Assert.That(connection.Region, Is.EqualTo("eu-west-2"));
            Assert.That(connection.EndpointUrl, Is.EqualTo("http://127.0.0.1:9/"));
        });
    }

    [Test]
    public void Open_Aws_WithVolumeSizeZero_IsInvalidInput()
    {
        var verb = new DispatchVerb { Image = "ami-760aaa0f", Name = "sweep1", JobFile = "jobs.csv", Region = "eu-west-1", VolumeSize = 0 };

        var error = Assert.Throws<InvalidInputException>(() => CloudFactory.Open(verb, "sweep1", home, NullLoggerFactory.Instance));

        Assert.That(error!.Message, Does.Contain("--volume-size 0"));
    }

    [Test]
    public void SshOptionsFor_NoSshOptions_UsesUbuntuInProcessAndTheDefaultBootTimeout()
    {
        var options = CloudFactory.SshOptionsFor(new SshVerb(), record: null);

        Assert.That(options.User, Is.EqualTo("ubuntu"));
        Assert.That(options.ConfigFile, Is.Null);
        Assert.That(options.Proxy, Is.Null);
        Assert.That(options.BootTimeout, Is.EqualTo(Defaults.BootTimeout).And.EqualTo(new DispatchOptions { ImageId = "i", Name = "n", JobFile = "j" }.BootTimeout));
    }

    [Test]
    public void SshOptionsFor_UserConfigAndBootTimeout_AreTaken()
    {
        var remembered = Record(OpenSsh("ubuntu", "/dispatched/with.conf"));

        var options = CloudFactory.SshOptionsFor(new LogsVerb { SshUser = "ec2-user", SshConfig = "fleet.conf", BootTimeout = "90s" }, remembered);

        Assert.That(options.User, Is.EqualTo("ec2-user"));
        Assert.That(options.ConfigFile, Is.EqualTo("fleet.conf"));
        Assert.That(options.BootTimeout, Is.EqualTo(TimeSpan.FromSeconds(90)));
    }

    [Test]
    public void SshOptionsFor_NoSshOptions_TakesTheTransportTheBatchWasDispatchedWith()
    {
        var openSsh = CloudFactory.SshOptionsFor(new SshVerb(), Record(OpenSsh("ec2-user", "/dispatched/with.conf")));
        var inProcess = CloudFactory.SshOptionsFor(new SshVerb(), Record(InProcess("admin", "socks5://127.0.0.1:1080")));

        Assert.That((openSsh.User, openSsh.ConfigFile, openSsh.Proxy), Is.EqualTo(("ec2-user", "/dispatched/with.conf", (Uri?)null)));
        Assert.That((inProcess.User, inProcess.ConfigFile, inProcess.Proxy), Is.EqualTo(("admin", (string?)null, new Uri("socks5://127.0.0.1:1080"))));
    }

    [Test]
    public void SshOptionsFor_ConfigGivenForABatchThatUsedAProxy_ReplacesTheProxy()
    {
        var options = CloudFactory.SshOptionsFor(new SshVerb { SshConfig = "bastion.conf" }, Record(InProcess("admin", "socks5://127.0.0.1:1080")));

        Assert.That((options.User, options.ConfigFile, options.Proxy), Is.EqualTo(("admin", "bastion.conf", (Uri?)null)));
    }

    [Test]
    public void SshOptionsFor_ProxyGivenForABatchThatUsedAConfig_ReplacesTheConfig()
    {
        var options = CloudFactory.SshOptionsFor(new SshVerb { SshProxy = "socks5://127.0.0.1:9050" }, Record(OpenSsh("ubuntu", "/dispatched/with.conf")));

        Assert.That((options.ConfigFile, options.Proxy), Is.EqualTo(((string?)null, new Uri("socks5://127.0.0.1:9050"))));
    }

    [Test]
    public void SshOptionsFor_ConfigAndProxyBoth_IsBadInput()
    {
        var error = Assert.Throws<InvalidInputException>(() => CloudFactory.SshOptionsFor(new SshVerb { SshConfig = "a.conf", SshProxy = "socks5://127.0.0.1:1080" }, record: null))!;

        Assert.That(error.Message, Does.Contain("--ssh-config and --ssh-proxy"));
    }

    [Test]
    public void SshOptionsFor_MalformedBootTimeout_IsBadInput()
    {
        var error = Assert.Throws<InvalidInputException>(() => CloudFactory.SshOptionsFor(new SshVerb { BootTimeout = "soon" }, record: null))!;

        Assert.That(error.Message, Does.Contain("--boot-timeout"));
    }

    private static BatchRecord Record(ShellTransport transport) => new("b", "aws", "b", transport: transport);

    // As batch.json keeps them: the format later versions must still read.
    private static ShellTransport OpenSsh(string user, string config) => new("openssh", new Dictionary<string, string> { ["user"] = user, ["config"] = config });

    private static ShellTransport InProcess(string user, string proxy) => new("ssh.net", new Dictionary<string, string> { ["user"] = user, ["proxy"] = proxy });
}
