using System.Diagnostics;
using System.Formats.Tar;
using System.IO.Compression;
using System.Text;
using AwsRunner.Cli.Rendering;
using AwsRunner.Core;
using AwsRunner.Core.Cloud;
using AwsRunner.Core.Node;
using AwsRunner.Tests.Support;

namespace AwsRunner.Tests.Cloud.Ssh;

/// <summary>
/// What both SSH transports promise, each against real OpenSSH sshds on 127.0.0.1: the in-process one through a
/// SOCKS5 endpoint, OpenSSH through an ssh_config. Tests that only run commands share one node; tests about
/// connections, host keys and waiting get a node of their own.
/// </summary>
[TestFixture(SshRoute.Socks)]
[TestFixture(SshRoute.SshConfig)]
[NonParallelizable]
public sealed class SshShellTests(SshRoute route)
{
    private string keys = "";
    private string clientKey = "";
    private SshTestNode? shared;

    private SshTestNode Shared => shared ?? throw new InvalidOperationException("no shared node");

    private INodeShell Shell => Shared.Shell;

    private NodeInstance Node => Shared.Instance;

    [OneTimeSetUp]
    public async Task StartSharedNode()
    {
        SshServer.Require();
        keys = Directory.CreateTempSubdirectory("ark").FullName;
        clientKey = Path.Combine(keys, "client");
        await SshServer.GenerateKeyAsync(clientKey);
        shared = await SshTestNode.StartAsync(clientKey, route);
    }

    [OneTimeTearDown]
    public async Task StopSharedNode()
    {
        if (shared is not null)
        {
            await shared.DisposeAsync();
        }

        Directory.Delete(keys, recursive: true);
    }

    [Test]
    public async Task Run_ManyCommandsToOneNode_ShareOneConnection()
    {
        await using var node = await SshTestNode.StartAsync(clientKey, route);

        await node.Shell.WaitReachableAsync(node.Instance, CancellationToken.None);
        for (var i = 0; i < 5; i++)
        {
            await node.Shell.RunAsync(node.Instance, $"echo {i} >> counted", null, CancellationToken.None);
        }

        await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => node.Shell.RunAsync(node.Instance, "true", null, CancellationToken.None)));
        await node.Shell.DisposeAsync();
        await node.Server.WaitForConnectionsClosedAsync();

        Assert.That(node.Server.AcceptedConnections, Is.EqualTo(1), node.Server.Log);
        Assert.That(await File.ReadAllTextAsync(Path.Combine(node.Server.Home, "counted")), Is.EqualTo("0\n1\n2\n3\n4\n"));
    }

    [Test]
    public async Task Run_FirstCommandsToANodeInParallel_OpenOneConnection()
    {
        await using var node = await SshTestNode.StartAsync(clientKey, route);

        var results = await Task.WhenAll(Enumerable.Range(0, 4).Select(i => node.Shell.RunAsync(node.Instance, $"echo {i}", null, CancellationToken.None)));
        await node.Shell.DisposeAsync();
        await node.Server.WaitForConnectionsClosedAsync();

        string[] inOrder = ["0\n", "1\n", "2\n", "3\n"];
        Assert.That(results.Select(r => r.Output), Is.EqualTo(inOrder));
        Assert.That(node.Server.AcceptedConnections, Is.EqualTo(1), node.Server.Log);
    }

    [Test]
    public async Task Dispose_ClosesTheNodesConnection()
    {
        await using var node = await SshTestNode.StartAsync(clientKey, route);
        await node.Shell.RunAsync(node.Instance, "true", null, CancellationToken.None);

        await node.Shell.DisposeAsync();
        await node.Server.WaitForConnectionsClosedAsync();

        Assert.That(node.Server.AcceptedConnections, Is.EqualTo(1));
        Assert.That(node.Server.ClosedConnections, Is.EqualTo(1));
    }

    [Test]
    public async Task Run_TarStreamOnStandardInput_UnpacksInTheNodesHome()
    {
        var payload = new byte[3 << 20];
        new Random(7).NextBytes(payload);
        using var archive = new MemoryStream();
        await using (var gzip = new GZipStream(archive, CompressionLevel.Fastest, leaveOpen: true))
        await using (var tar = new TarWriter(gzip, TarEntryFormat.Pax, leaveOpen: true))
        {
            await tar.WriteEntryAsync(new PaxTarEntry(TarEntryType.RegularFile, "upload/data.bin") { DataStream = new MemoryStream(payload) });
            await tar.WriteEntryAsync(new PaxTarEntry(TarEntryType.RegularFile, "upload/sub dir/naïve €.txt") { DataStream = new MemoryStream("übung\n"u8.ToArray()) });
        }

        archive.Position = 0;
        var result = await Shell.RunAsync(Node, "rm -rf upload && tar -xzf - --no-same-owner && echo unpacked", archive, CancellationToken.None);

        Assert.That(result, Is.EqualTo(new ShellResult(0, "unpacked\n", "")));
        Assert.That(await File.ReadAllBytesAsync(Path.Combine(Shared.Server.Home, "upload", "data.bin")), Is.EqualTo(payload));
        Assert.That(await File.ReadAllTextAsync(Path.Combine(Shared.Server.Home, "upload", "sub dir", "naïve €.txt")), Is.EqualTo("übung\n"));
    }

    [Test]
    public async Task Run_CommandThatReadsNoInput_EndsThoughInputWasGiven()
    {
        using var input = new MemoryStream(new byte[8 << 20]);

        var result = await Shell.RunAsync(Node, "echo done", input, CancellationToken.None);

        Assert.That(result, Is.EqualTo(new ShellResult(0, "done\n", "")));
    }

    [Test]
    public async Task Run_CommandThatReadsItsInput_SeesItsEnd()
    {
        var result = await Shell.RunAsync(Node, "wc -c", null, CancellationToken.None);

        Assert.That(result.Output.Trim(), Is.EqualTo("0"));
    }

    [TestCase(0)]
    [TestCase(1)]
    [TestCase(3)]
    [TestCase(255)]
    public async Task Run_RemoteCommandExits_ItsExitCodeIsReturnedNotMistakenForSsh(int code)
    {
        var result = await Shell.RunAsync(Node, $"echo out; printf err >&2; exit {code}", null, CancellationToken.None);

        Assert.That(result, Is.EqualTo(new ShellResult(code, "out\n", "err")));
    }

    [Test]
    public async Task Run_CommandKilledByASignal_ExitsWith128AndTheSignal()
    {
        var result = await Shell.RunAsync(Node, "kill -TERM $$", null, CancellationToken.None);

        Assert.That(result.ExitCode, Is.EqualTo(128 + 15));
    }

    [TestCase("plain")]
    [TestCase("it's \"quoted\" 'twice'")]
    [TestCase("$HOME ${PATH} $(uname) `uname` $((1+1)) \\$ \\")]
    [TestCase("a | b; c && d || e & f > g < h")]
    [TestCase("line one\nline two\n\ttabbed\r\n")]
    [TestCase("naïve café – 日本語 🙂 ü€")]
    [TestCase("*?[a] ~ # ! {a,b}")]
    public async Task Run_CommandWithQuotesDollarPipeAndUnicode_ReachesBashByteForByte(string text)
    {
        var quoted = ShellQuote.Quote(text);

        var result = await Shell.RunAsync(Node, $"printf '%s' {quoted} > written; printf '%s' {quoted}", null, CancellationToken.None);

        Assert.That(await File.ReadAllBytesAsync(Path.Combine(Shared.Server.Home, "written")), Is.EqualTo(Encoding.UTF8.GetBytes(text)));
        Assert.That(result.Output, Is.EqualTo(text));
    }

    [Test]
    public async Task Run_BashSyntax_RunsUnderBashThoughTheLoginShellIsSh()
    {
        const string command = "words=(a 'b c' \"d\"); [[ ${#words[@]} == 3 ]] && echo \"${words[1]}|$((6*7))|${BASH_VERSION:+bash}\" | tr a-z A-Z";

        var result = await Shell.RunAsync(Node, command, null, CancellationToken.None);

        Assert.That(result, Is.EqualTo(new ShellResult(0, "B C|42|BASH\n", "")));
    }

    [Test]
    public async Task Attach_Command_ReturnsItsExitCodeAndRunsInTheNodesHome()
    {
        var code = await Shell.AttachAsync(Node, "pwd > where; exit 5", CancellationToken.None);

        Assert.That(code, Is.EqualTo(5));
        Assert.That(await File.ReadAllTextAsync(Path.Combine(Shared.Server.Home, "where")), Is.EqualTo(Shared.Server.Home + "\n"));
    }

    [Test]
    public async Task CopyToNode_FileAndFolder_IntoAFolderThatExistsElseAsTheName()
    {
        using var local = new TempFolder();
        var file = local.Write("data.bin", "");
        var bytes = new byte[5 << 20];
        new Random(3).NextBytes(bytes);
        await File.WriteAllBytesAsync(file, bytes);
        local.Write("tree/a.txt", "a\n");
        local.Write("tree/sub dir/b €.txt", "b\n");
        await Shell.RunAsync(Node, "rm -rf put && mkdir -p put/into", null, CancellationToken.None);
        var progress = new List<CopyProgress>();

        await Shell.CopyToNodeAsync(Node, file, "put/into", new SynchronousProgress<CopyProgress>(progress.Add), CancellationToken.None);
        await Shell.CopyToNodeAsync(Node, file, "put/renamed.bin", null, CancellationToken.None);
        await Shell.CopyToNodeAsync(Node, local.Combine("tree"), "put/into", null, CancellationToken.None);
        await Shell.CopyToNodeAsync(Node, local.Combine("tree"), "put/copy", null, CancellationToken.None);

        var put = Path.Combine(Shared.Server.Home, "put");
        Assert.Multiple(() =>
        {
            Assert.That(File.ReadAllBytes(Path.Combine(put, "into", "data.bin")), Is.EqualTo(bytes));
            Assert.That(File.ReadAllBytes(Path.Combine(put, "renamed.bin")), Is.EqualTo(bytes));
            Assert.That(File.ReadAllText(Path.Combine(put, "into", "tree", "sub dir", "b €.txt")), Is.EqualTo("b\n"));
            Assert.That(File.ReadAllText(Path.Combine(put, "copy", "a.txt")), Is.EqualTo("a\n"));
            Assert.That(File.ReadAllText(Path.Combine(put, "copy", "sub dir", "b €.txt")), Is.EqualTo("b\n"));
        });
        if (route == SshRoute.Socks)
        {
            var last = progress.Last();
            Assert.That((last.File, last.Copied, last.Size), Is.EqualTo(("data.bin", (long)bytes.Length, (long)bytes.Length)), "progress, as SCP reports it");
        }
    }

    [Test]
    public async Task CopyToNode_IntoFoldersThatDoNotExistYet_MakesThemAsRsyncMkpath()
    {
        using var local = new TempFolder();
        var file = local.Write("blob.bin", "blob\n");
        local.Write("tree/sub dir/b €.txt", "b\n");
        await Shell.RunAsync(Node, "rm -rf mkpath", null, CancellationToken.None);

        await Shell.CopyToNodeAsync(Node, file, "mkpath/in/blob.bin", null, CancellationToken.None);
        await Shell.CopyToNodeAsync(Node, local.Combine("tree"), "mkpath/deeper/in/dir", null, CancellationToken.None);
        await Shell.CopyToNodeAsync(Node, file, "mkpath/folder/", null, CancellationToken.None);

        var made = Path.Combine(Shared.Server.Home, "mkpath");
        Assert.Multiple(() =>
        {
            Assert.That(File.ReadAllText(Path.Combine(made, "in", "blob.bin")), Is.EqualTo("blob\n"));
            Assert.That(File.ReadAllText(Path.Combine(made, "deeper", "in", "dir", "sub dir", "b €.txt")), Is.EqualTo("b\n"));
            Assert.That(File.ReadAllText(Path.Combine(made, "folder", "blob.bin")), Is.EqualTo("blob\n"));
        });
    }

    [Test]
    public async Task CopyFromNode_FileAndFolder_IntoAFolderThatExistsElseAsTheName()
    {
        await Shell.RunAsync(Node, "rm -rf got && mkdir -p 'got/tree/sub dir' && head -c 3000000 /dev/urandom > got/data.bin && echo b > 'got/tree/sub dir/b €.txt'", null, CancellationToken.None);
        var remote = Path.Combine(Shared.Server.Home, "got");
        using var local = new TempFolder();
        Directory.CreateDirectory(local.Combine("into"));

        await Shell.CopyFromNodeAsync(Node, "got/data.bin", local.Combine("into"), null, CancellationToken.None);
        await Shell.CopyFromNodeAsync(Node, "got/data.bin", local.Combine("renamed.bin"), null, CancellationToken.None);
        await Shell.CopyFromNodeAsync(Node, "got/tree", local.Combine("into"), null, CancellationToken.None);
        await Shell.CopyFromNodeAsync(Node, "got/tree", local.Combine("copy"), null, CancellationToken.None);

        var data = File.ReadAllBytes(Path.Combine(remote, "data.bin"));
        Assert.Multiple(() =>
        {
            Assert.That(File.ReadAllBytes(local.Combine("into", "data.bin")), Is.EqualTo(data));
            Assert.That(File.ReadAllBytes(local.Combine("renamed.bin")), Is.EqualTo(data));
            Assert.That(File.ReadAllText(local.Combine("into", "tree", "sub dir", "b €.txt")), Is.EqualTo("b\n"));
            Assert.That(File.ReadAllText(local.Combine("copy", "sub dir", "b €.txt")), Is.EqualTo("b\n"));
        });
    }

    [Test]
    public void CopyFromNode_NoSuchFile_FailsSayingSo()
    {
        using var local = new TempFolder();

        var error = Assert.ThrowsAsync<CloudException>(() => Shell.CopyFromNodeAsync(Node, "no/such.file", local.Path, null, CancellationToken.None))!;

        Assert.That(error.Message, Does.Contain("no/such.file").And.Contain("No such file"));
    }

    [Test]
    public async Task FirstContact_RecordsTheHostKeyInTheBatchsKnownHosts_AndNeverTouchesTheUsers()
    {
        var userKnownHosts = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".ssh", "known_hosts");
        var before = File.Exists(userKnownHosts) ? await File.ReadAllBytesAsync(userKnownHosts) : null;
        await using var node = await SshTestNode.StartAsync(clientKey, route);

        await node.Shell.WaitReachableAsync(node.Instance, CancellationToken.None);

        var hostKey = (await File.ReadAllTextAsync(node.Server.HostKey + ".pub")).Split(' ');
        Assert.That((await File.ReadAllTextAsync(node.KnownHostsFile)).Trim(), Is.EqualTo($"i-0000 {hostKey[0]} {hostKey[1]}"));
        Assert.That(File.Exists(userKnownHosts) ? await File.ReadAllBytesAsync(userKnownHosts) : null, Is.EqualTo(before));
    }

    [Test]
    public async Task Run_AfterTheNodesHostKeyChanged_IsRefusedBeforeAnythingIsSent()
    {
        await using var node = await SshTestNode.StartAsync(clientKey, route);
        await node.Shell.WaitReachableAsync(node.Instance, CancellationToken.None);
        var port = node.Server.Port;
        await node.StopServerAsync();
        var impostor = await node.StartServerAsync(port);
        var clock = new InstantTimeProvider();
        var shell = await node.OpenAsync(clock, node.MapTo(port));

        var run = Assert.ThrowsAsync<CloudException>(() => shell.RunAsync(node.Instance, "touch reached", null, CancellationToken.None))!;
        var wait = Assert.ThrowsAsync<CloudException>(() => shell.WaitReachableAsync(node.Instance, CancellationToken.None))!;

        Assert.That(run.Code, Is.EqualTo("HostKeyChanged"));
        Assert.That(run.Message, Does.Contain("i-0000").And.Contain(node.KnownHostsFile).And.Contain("differs from the one recorded"));
        Assert.That(run.Hint, Does.Contain($"ssh-keygen -f {node.KnownHostsFile} -R i-0000"));
        Assert.That(wait.Code, Is.EqualTo("HostKeyChanged"), "a changed host key is not waited out");
        Assert.That(clock.Waits, Is.Empty);
        Assert.That(impostor.AcceptedConnections, Is.Zero, impostor.Log);
        Assert.That(File.Exists(Path.Combine(impostor.Home, "reached")), Is.False);
    }

    [Test]
    public async Task WaitReachable_SshdStartsSecondsLate_RetriesUntilItAnswers()
    {
        await using var node = SshTestNode.Create(clientKey, route);
        var port = SshServer.FreePort();
        var shell = await node.OpenAsync(TimeProvider.System, node.MapTo(port));
        var watch = Stopwatch.StartNew();

        var waiting = shell.WaitReachableAsync(node.Instance, CancellationToken.None);
        await Task.Delay(TimeSpan.FromSeconds(2));
        Assert.That(waiting.IsCompleted, Is.False, "reachable before sshd started?");
        var late = await node.StartServerAsync(port);
        await waiting;

        Assert.That(watch.Elapsed, Is.GreaterThan(TimeSpan.FromSeconds(2)));
        Assert.That((await shell.RunAsync(node.Instance, "pwd", null, CancellationToken.None)).Output, Is.EqualTo(late.Home + "\n"));
    }

    [Test]
    public async Task WaitReachable_NothingAnswersWithinTheBootTimeout_ReportsTheNodeAndTheLastError()
    {
        await using var node = SshTestNode.Create(clientKey, route);
        var clock = new InstantTimeProvider();
        var shell = await node.OpenAsync(clock, node.MapTo(SshServer.FreePort()), TimeSpan.FromMinutes(1));

        var error = Assert.ThrowsAsync<CloudException>(() => shell.WaitReachableAsync(node.Instance, CancellationToken.None))!;

        Assert.That(error.Code, Is.EqualTo("BootTimeout"));
        Assert.That(error.Message, Does.Contain("i-0000").And.Contain(SshTestNode.Address));
        double[] backoff = [0.5, 1, 2, 2, 2];
        Assert.That(clock.Waits.Take(5), Is.EqualTo(backoff.Select(TimeSpan.FromSeconds)), "backs off, to a try every 2 s");
        Assert.That(clock.Waits.Aggregate(TimeSpan.Zero, (a, b) => a + b), Is.EqualTo(TimeSpan.FromMinutes(1)), "gives up at the boot timeout");
    }

    [Test]
    public async Task WaitReachable_NodeLaunchedLongerAgoThanTheBootTimeout_IsTriedOnceOnly()
    {
        await using var node = SshTestNode.Create(clientKey, route);
        var clock = new InstantTimeProvider();
        var shell = await node.OpenAsync(clock, node.MapTo(SshServer.FreePort()), TimeSpan.FromMinutes(1));
        var launchedLongAgo = node.Instance with { LaunchTime = clock.GetUtcNow() - TimeSpan.FromHours(1) };

        var error = Assert.ThrowsAsync<CloudException>(() => shell.WaitReachableAsync(launchedLongAgo, CancellationToken.None))!;

        Assert.That(error.Code, Is.EqualTo("BootTimeout"));
        Assert.That(clock.Waits, Is.Empty);
    }
}
