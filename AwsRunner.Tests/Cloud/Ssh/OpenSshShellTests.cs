using AwsRunner.Core;
using AwsRunner.Core.Cloud;
using AwsRunner.Core.Cloud.Ssh;
using AwsRunner.Core.Cloud.Ssh.OpenSsh;
using AwsRunner.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace AwsRunner.Tests.Cloud.Ssh;

/// <summary>What only the OpenSSH transport (--ssh-config) does: ssh's command line, its shared connections' sockets, ssh_config errors.</summary>
[TestFixture]
[NonParallelizable]
public sealed class OpenSshShellTests
{
    private string keys = "";
    private string clientKey = "";

    [OneTimeSetUp]
    public async Task MakeKey()
    {
        SshServer.Require();
        keys = Directory.CreateTempSubdirectory("ark").FullName;
        clientKey = Path.Combine(keys, "client");
        await SshServer.GenerateKeyAsync(clientKey);
    }

    [OneTimeTearDown]
    public void RemoveKey()
    {
        // A run without sshd skips the fixture before its keys are made.
        if (keys.Length > 0)
        {
            Directory.Delete(keys, recursive: true);
        }
    }

    [Test]
    public void CommandLines_EverySshAndScp_ForwardNoAgentAndNoPort()
    {
        using var home = new TempFolder();
        var config = home.Write("ssh_config", "Host *\n  ForwardAgent yes\n  LocalForward 8080 localhost:80\n");
        var options = new SshOptions { ConfigFile = config };
        var commandLine = new SshCommandLine(options, new BatchSshFiles(home.Path));
        var node = new NodeInstance("b", 0, "i-1", "t3.micro", InstanceState.Running, "203.0.113.9", DateTimeOffset.UnixEpoch);

        var all = new[]
        {
            commandLine.Run(node, "true"),
            commandLine.Attach(node, null, terminal: true),
            commandLine.CopyTo(node, "/tmp/x", "code", quiet: true),
            commandLine.CopyFrom(node, "code/x", "/tmp", quiet: false),
            SshCommandLine.Standalone(new SshOptions(), new BatchSshFiles(home.Path)).Attach(node, null, terminal: true, ("127.0.0.1", 4022)),
        };

        Assert.That(all.Select(s => s.ArgumentList), Has.All.Contains("ForwardAgent=no").And.All.Contains("ClearAllForwardings=yes").And.All.Contains("HostKeyAlias=i-1"));
    }

    [Test]
    public async Task Dispose_ClosesTheSharedConnectionsSocket()
    {
        await using var node = await SshTestNode.StartAsync(clientKey, SshRoute.SshConfig);
        await node.Shell.RunAsync(node.Instance, "true", null, CancellationToken.None);
        var sockets = Directory.GetFileSystemEntries(Path.Combine(node.Home, ".cm"));
        Assert.That(sockets, Has.Length.EqualTo(1));

        await node.Shell.DisposeAsync();
        await node.Server.WaitForConnectionsClosedAsync();

        Assert.That(File.Exists(sockets[0]), Is.False);
    }

    [Test]
    public async Task WaitReachable_SshConfigIsBroken_FailsAtOnceNamingTheFile()
    {
        await using var node = SshTestNode.Create(clientKey, SshRoute.SshConfig);
        var config = Path.Combine(node.Folder, "broken_config");
        await File.WriteAllTextAsync(config, "Host *\n  NoSuchOption yes\n");
        var clock = new InstantTimeProvider();
        var shell = await node.OpenAsync(clock, config);

        var error = Assert.ThrowsAsync<CloudException>(() => shell.WaitReachableAsync(node.Instance, CancellationToken.None))!;

        Assert.That(error.Code, Is.EqualTo("SshConfig"));
        Assert.That(error.Message, Does.Contain(config).And.Contain("Bad configuration option"));
        Assert.That(clock.Waits, Is.Empty);
    }

    [Test]
    public void Open_HomeTooLongForASocketPath_IsRefusedUpFront()
    {
        using var folder = new TempFolder();
        var config = folder.Write("ssh_config", "");
        var longHome = "/tmp/" + new string('h', 80);

        var error = Assert.Throws<InvalidInputException>(() => SshTransports.Open(new SshOptions { ConfigFile = config }, longHome, TimeProvider.System, NullLoggerFactory.Instance))!;

        Assert.That(error.Message, Does.Contain("AWSRUNNER_HOME"));
    }

    [Test]
    public void Open_MissingSshConfig_IsRefusedUpFront()
    {
        var error = Assert.Throws<InvalidInputException>(() => SshTransports.Open(
            new SshOptions { ConfigFile = "/nonexistent/ssh_config" }, Path.GetTempPath(), TimeProvider.System, NullLoggerFactory.Instance))!;

        Assert.That(error.Message, Does.Contain("SshOptions.ConfigFile").And.Contain("/nonexistent/ssh_config"));
    }
}
