using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using AwsRunner.Core.Cloud.Aws.Ec2;
using AwsRunner.Core.Dispatch;
using AwsRunner.Core.Cloud.Ssh.SshNet;
using AwsRunner.Core.Node;
using AwsRunner.Tests.Cloud.Ssh;
using AwsRunner.Tests.Support;

namespace AwsRunner.Tests.Sim;

/// <summary>
/// Whole batches through the real awsrunner command on the simulated fleet: EC2 and S3 on moto, every instance a
/// node with a real sshd, reached only through --endpoint-url and the fleet's SOCKS5 endpoint (--ssh-proxy, awsrunner's
/// own SSH client) or, where a test names it, its ssh_config (--ssh-config, OpenSSH). The shared fleet, a batch
/// of its own for each test, the tests side by side. Only the first test takes its batch down through awsrunner; after
/// every test, whatever of its batch still runs is terminated, and the test fails if there was any.
/// </summary>
[TestFixture]
[Parallelizable(ParallelScope.Children)]
[FixtureLifeCycle(LifeCycle.InstancePerTestCase)]
public sealed class FleetBatchTests
{
    private static readonly TimeSpan JobsTimeout = TimeSpan.FromSeconds(60);

    private static SimulatedFleet? fleet;

    private FleetBatch? batch;

    private static SimulatedFleet Fleet => fleet ?? throw new InvalidOperationException("no fleet");

    [OneTimeSetUp]
    public static async Task StartFleetAsync() => fleet = await SharedFleet.GetAsync();

    [TearDown]
    public async Task NothingOfTheBatchIsLeftAsync()
    {
        if (batch is not null)
        {
            await batch.EndAsync();
        }
    }

    [TestCase(SshRoute.Socks)]
    [TestCase(SshRoute.SshConfig)]
    public async Task Batch_TwoInstanceTypesOneJobFailing_RunsReportsFetchesEveryByteAndGoesDown(SshRoute route)
    {
        batch = new FleetBatch(Fleet, Named("fleet-batch", route), route: route);
        batch.Write("code/work.sh", """
            echo "job $AWSRUNNER_INDEX on a $(ec2metadata --instance-type)"
            while [ ! -e "$HOME/release" ]; do sleep 0.1; done
            mkdir -p output
            head -c "$size" /dev/urandom > output/data.bin
            sha256sum output/data.bin > output/data.sha256
            """ + "\n" + FleetBatch.KeepCommand("data.bin") + "\n");
        batch.Write("code/jobs.csv", """
            instance_type,command,size
            t3.micro,bash work.sh,1000
            c5.large,bash work.sh,300000
            t3.micro,bash work.sh,1
            c5.large,bash work.sh && exit 3,4096
            """);

        var dispatch = await batch.DispatchAsync();
        Assert.That(dispatch.ExitCode, Is.Zero, dispatch.ToString());
        Assert.That(dispatch.Output, Does.Contain("4 of 4 nodes started"));

        var during = await batch.StatusAsync();
        var jobs = FleetBatch.InstanceOfJob(during);
        Assert.Multiple(() =>
        {
            Assert.That(FleetBatch.States(during), Is.All.EqualTo("running"));
            Assert.That(during.GetProperty("finished").GetBoolean(), Is.False);
            Assert.That(during.GetProperty("jobs").EnumerateArray().Select(j => j.GetProperty("instance_type").GetString()),
                Is.EqualTo(new[] { "t3.micro", "c5.large", "t3.micro", "c5.large" }));
        });

        foreach (var instance in jobs.Values)
        {
            File.WriteAllText(Path.Combine(Fleet.NodeHome(instance), "release"), "");
        }

        var instances = await batch.WaitTerminatedAsync(JobsTimeout);
        var after = await batch.StatusAsync();
        Assert.Multiple(() =>
        {
            Assert.That(instances.Select(i => i.InstanceId), Is.EquivalentTo(jobs.Values), "one instance per job, no more");
            Assert.That(after.GetProperty("finished").GetBoolean(), Is.True);
            Assert.That(FleetBatch.States(after), Is.EqualTo(new[] { "done", "done", "done", "failed" }));
            Assert.That(after.GetProperty("jobs").EnumerateArray().Select(j => j.GetProperty("exit_code").GetInt32()), Is.EqualTo(new[] { 0, 0, 0, 3 }));
            Assert.That(after.GetProperty("jobs").EnumerateArray().Select(j => j.GetProperty("instance_state").GetString()), Is.All.EqualTo("terminated"));
        });

        var fetch = await batch.RunAsync("fetch", batch.Name, batch.Output);
        Assert.That(fetch.Output, Does.Contain("4 jobs: 3 succeeded, 1 failed, 0 missing"), fetch.ToString());
        Assert.That(batch.CountIntactResults(jobs, "data.bin"), Is.EqualTo(4));
        foreach (var (index, instance) in jobs)
        {
            var fetched = Path.Combine(batch.Output, $"{index:0000}", "output");
            var data = File.ReadAllBytes(Path.Combine(fetched, "data.bin"));
            Assert.Multiple(() =>
            {
                Assert.That(data, Is.EqualTo(File.ReadAllBytes(batch.Kept(instance, index, "data.bin"))), $"job {index}'s data.bin");
                Assert.That(File.ReadAllText(Path.Combine(fetched, "data.sha256")), Does.StartWith(Convert.ToHexStringLower(SHA256.HashData(data))));
                Assert.That(File.ReadAllText(Path.Combine(batch.Output, $"{index:0000}", "job.log")),
                    Is.EqualTo($"job {index} on a {(index % 2 == 0 ? "t3.micro" : "c5.large")}\n"));
            });
        }

        var down = await batch.RunAsync("down", batch.Name, "--delete-results");
        Assert.That(down.ExitCode, Is.Zero, down.ToString());
        Assert.Multiple(async () =>
        {
            Assert.That((await batch.InstancesAsync()).Select(i => i.State), Is.All.EqualTo("terminated"));
            Assert.That(await Fleet.Ec2.DescribeKeyPairsAsync(batch.Name, CancellationToken.None), Is.Empty, "key pair");
            Assert.That(await Fleet.Ec2.DescribeSecurityGroupsAsync([new Ec2Filter("group-name", batch.Name)], CancellationToken.None), Is.Empty, "security group");
            Assert.That((await Fleet.S3.ListBucketsAsync()).Buckets?.Select(b => b.BucketName) ?? [], Does.Not.Contain(batch.Name), "bucket");
        });
    }

    [Test]
    public async Task Create_InstallFailsOnOneInstanceType_ReportsItsExitCodeAndLogTail_TerminatesThatNode_TheOthersRun()
    {
        batch = new FleetBatch(Fleet, "fleet-install");
        batch.Write("code/jobs.csv", """
            instance_type,command
            t3.micro,mkdir -p output && echo ran > output/ran.txt
            c5.large,mkdir -p output && echo ran > output/ran.txt
            t3.micro,mkdir -p output && echo ran > output/ran.txt
            """);
        var install = batch.Write("install.sh", """
            type=$(ec2metadata --instance-type)
            echo "installing on a $type"
            if [ "$type" = c5.large ]; then echo "no driver for a $type" >&2; exit 7; fi
            """);

        var dispatch = await batch.DispatchAsync("--install", install);
        var instances = await batch.WaitTerminatedAsync(JobsTimeout);
        var status = await batch.StatusAsync();

        Assert.Multiple(() =>
        {
            Assert.That(dispatch.ExitCode, Is.EqualTo(3), dispatch.ToString());
            Assert.That(dispatch.Output, Does.Contain("2 of 3 nodes started; 1 failed: 0001 install-failed (exit 7)"), dispatch.ToString());
            Assert.That(dispatch.Output + dispatch.Error, Does.Contain("no driver for a c5.large"), "the log tail");
            Assert.That(FleetBatch.States(status), Is.EqualTo(new[] { "done", "install-failed", "done" }));
            Assert.That(instances, Has.Count.EqualTo(3));
        });
    }

    [TestCase(SshRoute.Socks)]
    [TestCase(SshRoute.SshConfig)]
    public async Task Dispatch_CommandWithQuotesDollarVariablePipeAndUnicode_RunsExactlyAsWritten(SshRoute route)
    {
        const string Command = """mkdir -p output && printf '%s|%s|%s\n' "$who" 'it'\''s $HOME, as written' "tab	and \"quotes\"" | sed 's/^/> /' > output/said.txt && echo "日本語 ü € 🙂 $((6 * 7))" >> output/said.txt""";
        const string Who = "wörld, \"quoted\", $HOME and `ls`";
        batch = new FleetBatch(Fleet, Named("fleet-quoting", route), route: route);
        batch.Write("code/jobs.csv", $"instance_type,command,who\nt3.micro,{Csv(Command)},{Csv(Who)}\n");

        var dispatch = await batch.DispatchAsync();
        Assert.That(dispatch.ExitCode, Is.Zero, dispatch.ToString());
        await batch.WaitTerminatedAsync(JobsTimeout);
        var fetch = await batch.RunAsync("fetch", batch.Name, batch.Output);
        Assert.That(fetch.ExitCode, Is.Zero, fetch.ToString());

        var said = File.ReadAllText(Path.Combine(batch.Output, "0000", "output", "said.txt"));
        Assert.That(said, Is.EqualTo(await RunLocallyAsync(Command, ("who", Who))));
        Assert.That(said, Is.EqualTo("> wörld, \"quoted\", $HOME and `ls`|it's $HOME, as written|tab\tand \"quotes\"\n日本語 ü € 🙂 42\n"));
    }

    [TestCase(SshRoute.Socks)]
    [TestCase(SshRoute.SshConfig)]
    public async Task SshAndLogs_OnARunningFleetNode_RunTheCommandThereAndShowTheJobLog(SshRoute route)
    {
        const string Text = "it's \"$HOME\" `uname` | ü € 日本 🙂\n\\";
        batch = new FleetBatch(Fleet, Named("fleet-ssh", route), route: route);
        batch.Write("code/jobs.csv", """
            instance_type,command
            t3.micro,"echo 'first line of the log'; while [ ! -e ""$HOME/release"" ]; do sleep 0.1; done"
            """);
        var dispatch = await batch.DispatchAsync();
        Assert.That(dispatch.ExitCode, Is.Zero, dispatch.ToString());
        var instance = (await batch.InstancesAsync()).Single().InstanceId;

        // No --ssh-user, --ssh-proxy, --ssh-config or --endpoint-url: the batch remembers how its nodes were reached.
        // Checked first, so that ssh without the fleet's proxy never tries moto's made-up addresses.
        var transport = batch.Record?.Transport;
        Assert.That(transport?.Settings["user"], Is.EqualTo(Fleet.SshUser));
        Assert.That(route == SshRoute.Socks ? transport?.Settings["proxy"] : transport?.Settings["config"], Is.EqualTo(route == SshRoute.Socks ? Fleet.SshProxy : Fleet.SshConfig));
        var state = await batch.RunAsync("ssh", batch.Name, "0", "--", "cat awsrunner/state; echo \"$HOME\"; exit 4");
        var printed = await batch.RunAsync("ssh", batch.Name, "0", "--", "printf '%s' " + ShellQuote.Quote(Text));
        var logs = await Eventually.WaitAsync(
            () => batch.RunAsync("logs", batch.Name, "0").GetAwaiter().GetResult(),
            run => run.Output.Length > 0,
            TimeSpan.FromSeconds(10),
            "the job's first line");

        // On a terminal, ssh is the system's, with a terminal on the node too: through a relay to the proxy on the default transport.
        var onTerminal = await batch.Cli.RunOnTerminalAsync("", "ssh", batch.Name, "0", "--", "tty > /dev/null && echo on a terminal; exit 3");

        Assert.Multiple(() =>
        {
            Assert.That(onTerminal.ExitCode, Is.EqualTo(3), onTerminal.ToString());
            Assert.That(onTerminal.Output, Does.Contain("on a terminal"), onTerminal.ToString());
            Assert.That(state.ExitCode, Is.EqualTo(4), state.ToString());
            Assert.That(state.Output, Is.EqualTo($"running\n{Fleet.NodeHome(instance)}\n"));
            Assert.That(printed.ExitCode, Is.Zero, printed.ToString());
            Assert.That(printed.Output, Is.EqualTo(Text));
            Assert.That(logs.ExitCode, Is.Zero, logs.ToString());
            Assert.That(logs.Output, Is.EqualTo("first line of the log\n"));
        });

        File.WriteAllText(Path.Combine(Fleet.NodeHome(instance), "release"), "");
        await batch.WaitTerminatedAsync(JobsTimeout);
    }

    [Test]
    public async Task Results13MB_GoUpIn5MiBPartsWhileNothingOfAwsrunnerRuns_FetchJoinsThemByteForByte_DownDeletesThem()
    {
        batch = new FleetBatch(Fleet, "fleet-parts");
        batch.Write("code/work.sh", "mkdir -p output && head -c 13000000 /dev/urandom > output/data.bin\n" + FleetBatch.KeepCommand("data.bin") + "\n");
        batch.Write("code/jobs.csv", "instance_type,command\nt3.micro,bash work.sh\n");

        var dispatch = await batch.DispatchAsync("--result-part-size", "5M");
        Assert.That(dispatch.ExitCode, Is.Zero, dispatch.ToString());
        // The dispatch has returned: the node packs, uploads its parts through its presigned URLs and powers off alone.
        await batch.WaitTerminatedAsync(JobsTimeout);
        var instanceOfJob = FleetBatch.InstanceOfJob(await batch.StatusAsync());
        var keys = await KeysAsync(batch.Name);
        var open = await Fleet.S3.ListMultipartUploadsAsync(new Amazon.S3.Model.ListMultipartUploadsRequest { BucketName = batch.Name });

        var fetch = await batch.RunAsync("fetch", batch.Name, batch.Output);
        var intact = batch.CountIntactResults(instanceOfJob, "data.bin");
        var down = await batch.RunAsync("down", batch.Name, "--delete-results", "--yes");
        var left = await KeysAsync(batch.Name);

        Assert.Multiple(() =>
        {
            Assert.That(keys.Where(k => k.StartsWith("fleet-parts/parts/", StringComparison.Ordinal)), Is.EqualTo(new[]
            {
                $"fleet-parts/parts/{instanceOfJob[0]}/00001", $"fleet-parts/parts/{instanceOfJob[0]}/00002", $"fleet-parts/parts/{instanceOfJob[0]}/00003",
            }), "three parts of 5 MiB, numbered by the node that ran the row");
            Assert.That(keys, Has.None.Contain("results.tar.gz"), "no whole archive beside its parts");
            Assert.That(open.MultipartUploads ?? [], Is.Empty, "no multipart upload is ever started");
            Assert.That(fetch.ExitCode, Is.Zero, fetch.ToString());
            Assert.That(intact, Is.EqualTo(1), "13 MB fetched byte for byte");
            Assert.That(down.ExitCode, Is.Zero, down.ToString());
            Assert.That(left, Is.Empty, "down --delete-results leaves no part behind");
        });
    }

    [Test]
    public async Task DeadMansSwitch_JobOverMaxHours_EndsDeadlineWithItsLogAndPartialResultsInTheBucket()
    {
        batch = new FleetBatch(Fleet, "fleet-deadman");
        batch.Write("code/jobs.csv", "instance_type,command\nt3.micro,mkdir -p output && echo partial > output/part.txt && echo working && sleep 600\n");

        // 72 s. The boothook's power-off is 10 minutes later, which this fleet's 15 s minute makes 2.5 minutes: with the
        // switches on the same minute (as before), the boothook would power the node off first, here after 30 s.
        var dispatch = await batch.DispatchAsync("--max-hours", "0.02");
        Assert.That(dispatch.ExitCode, Is.Zero, dispatch.ToString());
        var running = await batch.StatusAsync();
        var instance = FleetBatch.InstanceOfJob(running)[0];
        Assert.That(FleetBatch.States(running), Is.EqualTo(new[] { "running" }));

        await batch.WaitTerminatedAsync(TimeSpan.FromSeconds(150));
        var status = await batch.StatusAsync();
        var fetch = await batch.RunAsync("fetch", batch.Name, batch.Output);

        Assert.Multiple(() =>
        {
            // The runner's own power-off ("now", 0): the boothook's ("+12") had not come yet.
            Assert.That(File.ReadAllText(Path.Combine(Fleet.NodePath(instance), "power")).Trim(), Is.EqualTo("poweroff 0"));
            Assert.That(FleetBatch.States(status), Is.EqualTo(new[] { "deadline" }));
            Assert.That(fetch.ExitCode, Is.Zero, fetch.ToString());
            Assert.That(File.ReadAllText(Path.Combine(batch.Output, "0000", "output", "part.txt")), Is.EqualTo("partial\n"));
            Assert.That(File.ReadAllText(Path.Combine(batch.Output, "0000", "job.log")), Does.StartWith("working\n").And.Contain("dead man's switch"));
        });
    }

    [Test]
    public async Task SshConfig_AddressOfNoInstance_IsRefusedByTheProxyWithoutConnectingAnywhere()
    {
        var start = new ProcessStartInfo("ssh", ["-F", Fleet.SshConfig, "-o", "BatchMode=yes", "-o", "ConnectTimeout=5", "-l", Fleet.SshUser, "198.51.100.7", "true"])
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
    public void StartUpMessage_GivesTheProxyAndTheSshConfig_AndSaysTheBatchRemembersThem()
    {
        var message = Fleet.Log;

        Assert.That(message, Does.Contain($"--ssh-user {Fleet.SshUser} --ssh-proxy {Fleet.SshProxy}"));
        Assert.That(message, Does.Contain($"--ssh-config {Fleet.SshConfig} instead of --ssh-proxy"));
        Assert.That(message, Does.Contain("status, fetch, down, ssh, logs, put and get need no option again"));
        Assert.That(File.ReadAllText(Path.Combine(Fleet.Folder, "fleet.env")), Does.Contain($"AWSRUNNER_FLEET_SSH_PROXY={ShellQuote.Quote(Fleet.SshProxy)}"));
    }

    [Test]
    public async Task SocksEndpoint_AddressOfNoInstance_IsRefusedWithoutConnectingAnywhere()
    {
        var error = Assert.ThrowsAsync<IOException>(() => SocksRelay.ConnectAsync(new Uri(Fleet.SshProxy), "198.51.100.7", 22, CancellationToken.None))!;

        Assert.That(error.Message, Does.Contain("did not connect to 198.51.100.7:22").And.Contain("reply 2"));
        // The fleet is a process of its own: its log line may reach the file a moment after the refusal reached us.
        await Eventually.WaitAsync(() => Fleet.Log.Contains("SOCKS5: refused 198.51.100.7 port 22", StringComparison.Ordinal), TimeSpan.FromSeconds(10), "the fleet to log the refusal");
    }

    [Test]
    public async Task Batch_OnTheDefaultTransport_StartsNoSshProcess()
    {
        batch = new FleetBatch(Fleet, "fleet-no-ssh");
        batch.Write("code/jobs.csv", "instance_type,command\nt3.micro,mkdir -p output && echo ran > output/ran.txt\nc5.large,mkdir -p output && echo ran > output/ran.txt\n");
        var ran = Path.Combine(Path.GetDirectoryName(batch.JobFile)!, "..", "ssh-ran");
        var fakes = Path.Combine(Path.GetDirectoryName(batch.JobFile)!, "..", "fake-bin");
        Directory.CreateDirectory(fakes);
        foreach (var program in new[] { "ssh", "scp" })
        {
            var path = Path.Combine(fakes, program);
            File.WriteAllText(path, $"#!/bin/sh\necho \"{program} $*\" >> '{ran}'\nexit 255\n");
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        batch.Cli.Environment["PATH"] = fakes + ":" + Environment.GetEnvironmentVariable("PATH");

        var dispatch = await batch.DispatchAsync("--install", batch.Write("install.sh", "echo installing"));
        await batch.WaitTerminatedAsync(JobsTimeout);
        var status = await batch.StatusAsync();
        var fetch = await batch.RunAsync("fetch", batch.Name, batch.Output);
        var down = await batch.RunAsync("down", batch.Name);

        Assert.Multiple(() =>
        {
            Assert.That(dispatch.ExitCode, Is.Zero, dispatch.ToString());
            Assert.That(FleetBatch.States(status), Is.All.EqualTo("done"));
            Assert.That(fetch.Output, Does.Contain("2 jobs: 2 succeeded"), fetch.ToString());
            Assert.That(down.ExitCode, Is.Zero, down.ToString());
            Assert.That(File.Exists(ran) ? File.ReadAllText(ran) : "", Is.Empty, "ssh or scp was started");
        });
    }

    [TestCase(SshRoute.Socks)]
    [TestCase(SshRoute.SshConfig)]
    public async Task PutAndGet_FileAndFolderBothWays_ByteForByte_ThenAGoneNodePointsAtFetch(SshRoute route)
    {
        batch = new FleetBatch(Fleet, Named("fleet-copy", route), route: route);
        batch.Write("code/jobs.csv", """
            instance_type,command
            t3.micro,"mkdir -p output/deep && head -c 300000 /dev/urandom > output/deep/r.bin && echo x > output/x.txt && while [ ! -e ""$HOME/release"" ]; do sleep 0.1; done"
            """);
        var payload = RandomFile(batch.Write("here/payload.bin", ""), 6 << 20, 1);
        batch.Write("here/tree/a.txt", "a\n");
        var deep = RandomFile(batch.Write("here/tree/sub dir/b €.bin", ""), 100_000, 2);
        var here = Path.GetDirectoryName(payload)!;
        var dispatch = await batch.DispatchAsync();
        Assert.That(dispatch.ExitCode, Is.Zero, dispatch.ToString());
        var instance = (await batch.InstancesAsync()).Single().InstanceId;
        var code = Path.Combine(Fleet.NodeHome(instance), "code");
        await Eventually.WaitAsync(() => File.Exists(Path.Combine(code, "output", "x.txt")), JobsTimeout, "the job's output");

        var putFile = await batch.RunAsync("put", batch.Name, "0", payload);
        var putFolder = await batch.RunAsync("put", batch.Name, "0", Path.Combine(here, "tree"));
        var putRenamed = await batch.RunAsync("put", batch.Name, "0", Path.Combine(here, "tree"), "renamed");
        var getFolder = await batch.RunAsync("get", batch.Name, "0", "output", Path.Combine(here, "gotten"));
        var getFile = await batch.RunAsync("get", batch.Name, "0", "payload.bin", Path.Combine(here, "back.bin"));
        var getHome = await batch.RunAsync("get", batch.Name, "0", "~/awsrunner/state", here);

        Assert.Multiple(() =>
        {
            foreach (var run in new[] { putFile, putFolder, putRenamed, getFolder, getFile, getHome })
            {
                Assert.That(run.ExitCode, Is.Zero, run.ToString());
            }

            Assert.That(File.ReadAllBytes(Path.Combine(code, "payload.bin")), Is.EqualTo(File.ReadAllBytes(payload)));
            Assert.That(File.ReadAllBytes(Path.Combine(code, "tree", "sub dir", "b €.bin")), Is.EqualTo(File.ReadAllBytes(deep)));
            Assert.That(File.ReadAllText(Path.Combine(code, "renamed", "a.txt")), Is.EqualTo("a\n"));
            Assert.That(File.ReadAllBytes(Path.Combine(here, "gotten", "deep", "r.bin")), Is.EqualTo(File.ReadAllBytes(Path.Combine(code, "output", "deep", "r.bin"))));
            Assert.That(File.ReadAllText(Path.Combine(here, "gotten", "x.txt")), Is.EqualTo("x\n"));
            Assert.That(File.ReadAllBytes(Path.Combine(here, "back.bin")), Is.EqualTo(File.ReadAllBytes(payload)));
            Assert.That(File.ReadAllText(Path.Combine(here, "state")), Is.EqualTo("running\n"));
        });

        File.WriteAllText(Path.Combine(Fleet.NodeHome(instance), "release"), "");
        await batch.WaitTerminatedAsync(JobsTimeout);
        var gone = await batch.RunAsync("put", batch.Name, "0", payload);
        var goneGet = await batch.RunAsync("get", batch.Name, "0", "output", Path.Combine(here, "late"));

        Assert.Multiple(() =>
        {
            foreach (var run in new[] { gone, goneGet })
            {
                Assert.That(run.ExitCode, Is.EqualTo(3), run.ToString());
                Assert.That(run.Error, Does.Contain($"awsrunner fetch {batch.Name}"));
            }

            Assert.That(Path.Combine(here, "late"), Does.Not.Exist, "nothing made here");
        });
    }

    private static string Named(string name, SshRoute route) => route == SshRoute.Socks ? name : name + "-openssh";

    private static string RandomFile(string path, int size, int seed)
    {
        var bytes = new byte[size];
        new Random(seed).NextBytes(bytes);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private static string Csv(string field) => "\"" + field.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    /// <summary>What bash on this machine makes of the command, in a folder of its own: what the node must have made of it too.</summary>
    private static async Task<string> RunLocallyAsync(string command, params (string Name, string Value)[] variables)
    {
        using var folder = new TempFolder();
        var start = new ProcessStartInfo("bash", ["-c", command]) { WorkingDirectory = folder.Path, UseShellExecute = false };
        start.Environment["HOME"] = "/nowhere";
        foreach (var (name, value) in variables)
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        await process.WaitForExitAsync();
        return File.ReadAllText(folder.Combine("output", "said.txt"), Encoding.UTF8);
    }

    /// <summary>The batch's objects in its bucket, in key order; none when the bucket is gone.</summary>
    private static async Task<IReadOnlyList<string>> KeysAsync(string name)
    {
        try
        {
            var listed = await Fleet.S3.ListObjectsV2Async(new Amazon.S3.Model.ListObjectsV2Request { BucketName = name, Prefix = name + "/" });
            return (listed.S3Objects ?? []).Select(o => o.Key).Order(StringComparer.Ordinal).ToList();
        }
        catch (Amazon.S3.AmazonS3Exception e) when (e.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return [];
        }
    }
}
