using AwsRunner.Core;
using AwsRunner.Core.Cloud;
using AwsRunner.Core.Cloud.Ssh;
using AwsRunner.Core.Cloud.Ssh.SshNet;
using AwsRunner.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace AwsRunner.Tests.Cloud.Ssh;

/// <summary>What only the in-process transport (SSH.NET) does: bounded handshakes, bounded open connections, OpenSSH's files.</summary>
[TestFixture]
[NonParallelizable]
public sealed class SshNetShellTests
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
    public void RemoveKey() => Directory.Delete(keys, recursive: true);

    [Test]
    public async Task WaitReachable_ManyNodesWhoseSshdHangs_NoMoreHandshakesAtOnceThanTheLimit()
    {
        using var silent = new SilentServer();
        await using var node = SshTestNode.Create(clientKey, SshRoute.Socks);
        string[] addresses = ["node-1", "node-2", "node-3", "node-4", "node-5", "node-6"];
        var shell = await node.OpenAsync(TimeProvider.System, node.MapTo(silent.Port, addresses), TimeSpan.Zero,
            o => new SshOptions(o) { MaxConnecting = 2, ConnectTimeout = TimeSpan.FromSeconds(3) });

        var errors = await Task.WhenAll(addresses.Select((a, i) => CatchAsync(shell.WaitReachableAsync(node.Another(i + 1, a), CancellationToken.None))));
        // The SOCKS5 proxy connects onward on its own time: on a loaded machine the last one may land a moment later.
        await Eventually.WaitAsync(() => silent.Accepted == addresses.Length, TimeSpan.FromSeconds(10), "every node to be tried");

        Assert.That(errors.Select(e => e?.Code), Is.All.EqualTo("BootTimeout"));
        Assert.That(silent.MostAtOnce, Is.EqualTo(2), "two handshakes at once, never more");
    }

    [Test]
    public async Task Run_MoreNodesThanMayStayOpen_TheLeastRecentlyUsedIdleConnectionIsClosed()
    {
        await using var node = SshTestNode.Create(clientKey, SshRoute.Socks);
        var server = await node.StartServerAsync();
        var shell = (SshNetShell)await node.OpenAsync(TimeProvider.System, node.MapTo(server.Port, "node-1", "node-2"), configure: o => new SshOptions(o) { MaxOpenConnections = 2 });
        var (first, second, third) = (node.Instance, node.Another(1, "node-1"), node.Another(2, "node-2"));

        await shell.RunAsync(first, "true", null, CancellationToken.None);
        await shell.RunAsync(second, "true", null, CancellationToken.None);
        await shell.RunAsync(first, "true", null, CancellationToken.None);
        await shell.RunAsync(third, "true", null, CancellationToken.None);
        var openAfterThree = shell.OpenConnections;
        await Eventually.WaitAsync(() => server.ClosedConnections == 1, TimeSpan.FromSeconds(10), "the least recently used connection to close");
        await shell.RunAsync(first, "true", null, CancellationToken.None);
        await shell.RunAsync(second, "true", null, CancellationToken.None);

        Assert.That(openAfterThree, Is.EqualTo(2));
        Assert.That(server.AcceptedConnections, Is.EqualTo(4), "the second node's connection went, and came back; the first's stayed");
    }

    [Test]
    public async Task KnownHosts_RecordedInProcess_IsReadByOpenSsh_AndTheOtherWayRound()
    {
        await using var inProcess = await SshTestNode.StartAsync(clientKey, SshRoute.Socks);
        await inProcess.Shell.WaitReachableAsync(inProcess.Instance, CancellationToken.None);
        var recordedInProcess = await File.ReadAllTextAsync(inProcess.KnownHostsFile);
        await using var openSsh = await SshTestNode.StartAsync(clientKey, SshRoute.SshConfig);
        await openSsh.Shell.WaitReachableAsync(openSsh.Instance, CancellationToken.None);
        var recordedByOpenSsh = await File.ReadAllTextAsync(openSsh.KnownHostsFile);

        // Each transport now meets the other's sshd, whose key the other transport recorded.
        await File.WriteAllTextAsync(openSsh.KnownHostsFile, recordedInProcess);
        await File.WriteAllTextAsync(inProcess.KnownHostsFile, recordedByOpenSsh);

        var shellOfOpenSsh = await openSsh.OpenAsync(TimeProvider.System, openSsh.MapTo(inProcess.Server.Port));
        var shellInProcess = await inProcess.OpenAsync(TimeProvider.System, inProcess.MapTo(openSsh.Server.Port));
        Assert.That((await shellOfOpenSsh.RunAsync(openSsh.Instance, "echo ok", null, CancellationToken.None)).Output, Is.EqualTo("ok\n"));
        Assert.That((await shellInProcess.RunAsync(inProcess.Instance, "echo ok", null, CancellationToken.None)).Output, Is.EqualTo("ok\n"));
        Assert.That(await File.ReadAllTextAsync(openSsh.KnownHostsFile), Is.EqualTo(recordedInProcess), "OpenSSH added nothing");
        Assert.That(await File.ReadAllTextAsync(inProcess.KnownHostsFile), Is.EqualTo(recordedByOpenSsh), "nor did the in-process transport");
    }

    [Test]
    public async Task Run_AddressTheProxyRefuses_IsUnreachableSayingWhy()
    {
        await using var node = SshTestNode.Create(clientKey, SshRoute.Socks);
        var shell = await node.OpenAsync(new InstantTimeProvider(), node.MapTo(SshServer.FreePort()));
        var nowhere = node.Another(9, "198.51.100.7");

        var error = Assert.ThrowsAsync<CloudException>(() => shell.RunAsync(nowhere, "true", null, CancellationToken.None))!;

        Assert.That(error.Code, Is.EqualTo("SshUnreachable"));
        Assert.That(error.Message, Does.Contain("198.51.100.7"));
    }

    [TestCase("http://127.0.0.1:3128")]
    [TestCase("socks5://127.0.0.1")]
    [TestCase("socks5://user:secret@127.0.0.1:1080")]
    public void Open_ProxyThatIsNotSocks5HostAndPort_IsBadInput(string proxy)
    {
        var error = Assert.Throws<InvalidInputException>(() => SshTransports.Open(new SshOptions { Proxy = new Uri(proxy) }, keys, TimeProvider.System, NullLoggerFactory.Instance))!;

        Assert.That(error.Message, Does.Contain("SshOptions.Proxy").And.Contain("socks5://HOST:PORT"));
    }

    [Test]
    public void Open_SshConfigAndProxyBoth_IsBadInput()
    {
        using var folder = new TempFolder();
        var options = new SshOptions { ConfigFile = folder.Write("ssh_config", ""), Proxy = new Uri("socks5://127.0.0.1:1080") };

        var error = Assert.Throws<InvalidInputException>(() => SshTransports.Open(options, keys, TimeProvider.System, NullLoggerFactory.Instance))!;

        Assert.That(error.Message, Does.Contain("SshOptions.ConfigFile and SshOptions.Proxy"));
    }

    [Test]
    public async Task Transport_InProcess_IsRememberedWithItsUserAndProxy_AndOpensTheSameAgain()
    {
        await using var node = await SshTestNode.StartAsync(clientKey, SshRoute.Socks);

        var transport = node.Shell.Transport;
        var again = SshTransports.Remembered(transport);

        Assert.That(transport.Kind, Is.EqualTo("ssh.net"));
        Assert.That(transport.Settings["user"], Is.EqualTo(Environment.UserName));
        Assert.That(again, Is.Not.Null);
        Assert.That(again!.Proxy, Is.EqualTo(new Uri(transport.Settings["proxy"])));
        Assert.That(again.ConfigFile, Is.Null);
    }

    private static async Task<CloudException?> CatchAsync(Task task)
    {
        try
        {
            await task;
            return null;
        }
        catch (CloudException e)
        {
            return e;
        }
    }
}
