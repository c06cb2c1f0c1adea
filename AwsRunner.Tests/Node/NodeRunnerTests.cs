using System.Text.Json;
using AwsRunner.Core.Node;

namespace AwsRunner.Tests.Node;

public sealed class NodeRunnerTests
{
    private RunnerNode node = null!;

    [SetUp]
    public void SetUp() => node = new RunnerNode();

    [TearDown]
    public void TearDown() => node.Dispose();

    [Test]
    public async Task StartInstall_WithoutInstallScript_BecomesReady()
    {
        var started = await node.RunnerAsync("start", "install");

        Assert.That(started.ExitCode, Is.Zero, started.Error);
        await node.WaitForStateAsync("ready");
    }

    [Test]
    public async Task StartInstall_ScriptRunsInTheCodeFolder_AndItsOutputIsKept()
    {
        node.WriteInstallScript("pwd; echo installing things\n");

        await node.RunnerAsync("start", "install");
        await node.WaitForStateAsync("ready");

        Assert.That(File.ReadAllText(Path.Combine(node.Runner, "install.log")), Is.EqualTo(node.Code + "\ninstalling things\n"));
    }

    [Test]
    public async Task StartInstall_FailingScript_IsReportedWithExitCodeAndLogTail()
    {
        node.WriteInstallScript("echo fetching data\necho 'no such package: foo' >&2\nexit 3\n");

        await node.RunnerAsync("start", "install");
        await node.WaitForStateAsync("install-failed");
        var report = NodeReport.Parse((await node.RunnerAsync("report", "5")).Output);

        Assert.That(report.State, Is.EqualTo("install-failed"));
        Assert.That(report.InstallExitCode, Is.EqualTo(3));
        Assert.That(report.LogTail, Is.EqualTo("fetching data\nno such package: foo"));
    }

    [Test]
    public async Task StartRun_BeforeInstall_IsRefused()
    {
        node.WriteJob("true");

        var result = await node.RunnerAsync("start", "run");

        Assert.That(result.ExitCode, Is.EqualTo(3));
        Assert.That(result.Error, Does.Contain("not ready to run (state: none)"));
    }

    [Test]
    public async Task Run_SucceedingJob_UploadsResultsLogAndStatusThenPowersOff()
    {
        await InstallAsync();
        node.WriteJob("mkdir -p output && echo 42 > output/answer.txt && echo computing");

        await node.RunnerAsync("start", "run");
        await node.WaitPoweredOffAsync();

        Assert.That(node.State, Is.EqualTo("done"));
        Assert.That(node.ReadObject("job.log"), Is.EqualTo("computing\n"));
        Assert.That(node.ResultEntries(), Does.ContainKey("output/answer.txt").WithValue("42\n"));
        using var status = JsonDocument.Parse(node.ReadObject("status.json"));
        Assert.That(status.RootElement.GetProperty("exit_code").GetInt32(), Is.Zero);
        Assert.That(status.RootElement.GetProperty("index").GetInt32(), Is.EqualTo(3));
        Assert.That(status.RootElement.GetProperty("started").GetDateTimeOffset(), Is.LessThanOrEqualTo(status.RootElement.GetProperty("finished").GetDateTimeOffset()));
    }

    [Test]
    public async Task Run_StatusRecordsTheArchivesSizeAndSha256_AndTheArchiveCarriesTheLog()
    {
        await InstallAsync();
        node.WriteJob("mkdir -p output && echo 42 > output/answer.txt && echo computing");

        await node.RunnerAsync("start", "run");
        await node.WaitPoweredOffAsync();

        var archive = File.ReadAllBytes(Path.Combine(node.JobObjects, "results.tar.gz"));
        using var status = JsonDocument.Parse(node.ReadObject("status.json"));
        var packed = status.RootElement.GetProperty("archive");
        Assert.That(packed.GetProperty("bytes").GetInt64(), Is.EqualTo(archive.Length));
        Assert.That(packed.GetProperty("sha256").GetString(), Is.EqualTo(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(archive))));
        Assert.That(node.ResultEntries().Keys, Is.EquivalentTo(new[] { "job.log", "output/answer.txt" }));
        Assert.That(node.ResultEntries()["job.log"], Is.EqualTo(node.ReadObject("job.log")));
    }

    [Test]
    public async Task Deadline_WhileTheResultsArePacked_PacksThemAgainAndUploadsAWholeArchiveSayingDeadline()
    {
        // A tar that, the first time, writes half an archive and hangs there, as one would with 200 MB to pack.
        var bin = Path.Combine(node.Bucket, "bin");
        var packing = Path.Combine(node.Bucket, "packing");
        Directory.CreateDirectory(bin);
        File.WriteAllText(Path.Combine(bin, "tar"), $$"""
            #!/bin/bash
            if [ "$1" = -czf ] && [ ! -e {{ShellQuote.Quote(packing)}} ]; then
                /usr/bin/tar "$@" && truncate -s 5000 "$2" && touch {{ShellQuote.Quote(packing)}} && exec sleep 300
            fi
            exec /usr/bin/tar "$@"
            """.ReplaceLineEndings("\n"));
        File.SetUnixFileMode(Path.Combine(bin, "tar"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        node.WriteNodeEnv(new NodeEnvFile()
            .Set("AWSRUNNER_POWEROFF", "touch " + ShellQuote.Quote(node.PoweredOffMark))
            .Set("PATH", bin + ":" + Environment.GetEnvironmentVariable("PATH")));
        await InstallAsync();
        node.WriteJob("mkdir -p output && head -c 300000 /dev/urandom > output/noise.bin && echo computed");

        await node.RunnerAsync("start", "run");
        await Support.Eventually.WaitAsync(() => File.Exists(packing), TimeSpan.FromSeconds(20), "tar to be halfway");
        await node.ArmAsync(TimeSpan.Zero);
        await node.WaitPoweredOffAsync(TimeSpan.FromSeconds(30));

        var archive = File.ReadAllBytes(Path.Combine(node.JobObjects, "results.tar.gz"));
        using var status = JsonDocument.Parse(node.ReadObject("status.json"));
        Assert.Multiple(() =>
        {
            Assert.That(status.RootElement.GetProperty("state").GetString(), Is.EqualTo("deadline"), "not done: the switch cut the job's end short");
            Assert.That(status.RootElement.GetProperty("exit_code").GetInt32(), Is.Zero);
            Assert.That(status.RootElement.GetProperty("archive").GetProperty("bytes").GetInt64(), Is.EqualTo(archive.Length));
            Assert.That(status.RootElement.GetProperty("archive").GetProperty("sha256").GetString(),
                Is.EqualTo(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(archive))));
            Assert.That(node.ResultEntries().Keys, Is.EquivalentTo(new[] { "job.log", "output/noise.bin" }), "the archive is whole");
            Assert.That(node.ReadObject("job.log"), Does.StartWith("computed\n").And.Contain("fired while the results were packed"));
        });
    }

    [Test]
    public async Task Run_FailingJob_RecordsItsExitCodeAndStillUploads()
    {
        await InstallAsync();
        node.WriteJob("echo about to fail; exit 7");

        await node.RunnerAsync("start", "run");
        await node.WaitPoweredOffAsync();

        Assert.That(node.State, Is.EqualTo("failed"));
        Assert.That(node.ReadObject("job.log"), Is.EqualTo("about to fail\n"));
        using var status = JsonDocument.Parse(node.ReadObject("status.json"));
        Assert.That(status.RootElement.GetProperty("exit_code").GetInt32(), Is.EqualTo(7));
    }

    [Test]
    public async Task Run_JobKilledMidRun_IsReportedWithTheSignalsExitCodeAndItsLog()
    {
        await InstallAsync();
        node.WriteJob("echo started; exec sleep 300");

        await node.RunnerAsync("start", "run");
        await node.WaitForStateAsync("running");
        var log = Path.Combine(node.Runner, "job.log");
        await Support.Eventually.WaitAsync(() => File.Exists(log) && File.ReadAllText(log).Contains("started", StringComparison.Ordinal), TimeSpan.FromSeconds(10), "the job's first line");
        var sleeper = node.LiveProcesses().Single(p => File.ReadAllText($"/proc/{p}/cmdline").StartsWith("sleep\0300", StringComparison.Ordinal));
        System.Diagnostics.Process.GetProcessById(sleeper).Kill();
        await node.WaitPoweredOffAsync();

        Assert.That(node.State, Is.EqualTo("failed"));
        using var status = JsonDocument.Parse(node.ReadObject("status.json"));
        Assert.That(status.RootElement.GetProperty("exit_code").GetInt32(), Is.EqualTo(137));
        Assert.That(node.ReadObject("job.log"), Does.StartWith("started\n").And.EndWith("awsrunner: the job ended on signal KILL\n"));
    }

    [Test]
    public async Task Run_UploadFailingForAWhile_IsRetriedAndThePowerOffWaitsForIt()
    {
        await InstallAsync();
        var later = Path.Combine(node.Bucket, "jobs", "later");
        node.WriteJob("echo hello", objects: later);

        await node.RunnerAsync("start", "run");
        await node.WaitForStateAsync("uploading");
        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.That(node.PoweredOff, Is.False, "the node must not power off while its results are not uploaded");
        Directory.CreateDirectory(later);
        await node.WaitPoweredOffAsync(TimeSpan.FromSeconds(30));

        Assert.That(node.State, Is.EqualTo("done"));
        Assert.That(File.ReadAllText(Path.Combine(later, "job.log")), Is.EqualTo("hello\n"));
        Assert.That(File.Exists(Path.Combine(later, "status.json")), Is.True);
        Assert.That(File.ReadAllText(Path.Combine(node.Runner, "runner.log")), Does.Contain("upload failed, retrying"));
    }

    [Test]
    public async Task Run_UploadFailingPastTheGracePeriod_SaysUploadFailedKeepsTryingAndUploadsOnceItCan()
    {
        await InstallAsync();
        var later = Path.Combine(node.Bucket, "jobs", "later");
        node.WriteJob("mkdir -p output && echo 42 > output/answer.txt", settings: env => env.Set("AWSRUNNER_UPLOAD_GRACE_SECONDS", "1"));
        node.WriteUrls(later, heartbeats: node.JobObjects);

        await node.RunnerAsync("start", "run");
        await node.WaitForStateAsync("upload-failed", TimeSpan.FromSeconds(30));
        var beat = await Support.Eventually.WaitAsync(
            () => File.Exists(Path.Combine(node.JobObjects, "heartbeat.json")) ? node.ReadObject("heartbeat.json") : "",
            text => text.Contains("\"upload-failed\"", StringComparison.Ordinal),
            TimeSpan.FromSeconds(10),
            "an upload-failed heartbeat");
        await Task.Delay(TimeSpan.FromSeconds(3));
        Assert.That(node.PoweredOff, Is.False, "the node must keep its results while they are not uploaded");
        Directory.CreateDirectory(later);
        await node.WaitPoweredOffAsync(TimeSpan.FromSeconds(40));

        using var heartbeat = JsonDocument.Parse(beat);
        Assert.That(heartbeat.RootElement.GetProperty("upload_error").GetString(), Does.Contain("curl"));
        Assert.That(node.State, Is.EqualTo("done"));
        Assert.That(File.Exists(Path.Combine(later, "status.json")), Is.True);
        Assert.That(File.Exists(Path.Combine(later, "results.tar.gz")), Is.True);
    }

    [Test]
    public async Task Run_UploadUrlsReplacedWhileUploadsFail_TheNextTryUsesTheFreshOnes()
    {
        await InstallAsync();
        node.WriteJob("echo hello", objects: Path.Combine(node.Bucket, "expired"));

        await node.RunnerAsync("start", "run");
        await node.WaitForStateAsync("uploading");
        node.WriteUrls(node.JobObjects);
        await node.WaitPoweredOffAsync(TimeSpan.FromSeconds(30));

        Assert.That(node.State, Is.EqualTo("done"));
        Assert.That(node.ReadObject("job.log"), Is.EqualTo("hello\n"));
        Assert.That(File.Exists(Path.Combine(node.JobObjects, "status.json")), Is.True);
    }

    [Test]
    public async Task Run_EachPut_HasATimeLimitThatGrowsWithTheFile_AndTheHeartbeatsIsOneInterval()
    {
        var bin = Path.Combine(node.Bucket, "bin");
        var calls = Path.Combine(node.Bucket, "curl-calls");
        Directory.CreateDirectory(bin);
        File.WriteAllText(Path.Combine(bin, "curl"), $"#!/bin/bash\necho \"$*\" >> {ShellQuote.Quote(calls)}\nexec /usr/bin/curl \"$@\"\n");
        File.SetUnixFileMode(Path.Combine(bin, "curl"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        node.WriteNodeEnv(new NodeEnvFile()
            .Set("AWSRUNNER_POWEROFF", "touch " + ShellQuote.Quote(node.PoweredOffMark))
            .Set("PATH", bin + ":" + Environment.GetEnvironmentVariable("PATH")));
        await InstallAsync();
        node.WriteJob("mkdir -p output && head -c 3500000 /dev/urandom > output/noise.bin");

        await node.RunnerAsync("start", "run");
        await node.WaitPoweredOffAsync(TimeSpan.FromSeconds(30));

        var lines = File.ReadAllLines(calls);
        Assert.That(lines.Single(l => l.Contains("results.tar.gz", StringComparison.Ordinal)), Does.Contain("--max-time 303 "));
        Assert.That(lines.Where(l => l.Contains("heartbeat.json", StringComparison.Ordinal)), Is.Not.Empty.And.All.Contain("--max-time 1 "));
    }

    [Test]
    public async Task Run_ResultPathTarCannotRead_FailsTheJobAndStatusCarriesTarsMessage()
    {
        node.WithoutRootsFileAccess = true;
        await InstallAsync();
        node.WriteJob("mkdir -p output && echo kept > output/kept.txt && echo secret > output/secret.txt && chmod 000 output/secret.txt");

        await node.RunnerAsync("start", "run");
        await node.WaitPoweredOffAsync(TimeSpan.FromSeconds(30));

        Assert.That(node.State, Is.EqualTo("failed"));
        using var status = JsonDocument.Parse(node.ReadObject("status.json"));
        Assert.That(status.RootElement.GetProperty("exit_code").GetInt32(), Is.Zero);
        Assert.That(status.RootElement.GetProperty("results_error").GetString(), Does.Contain("output/secret.txt: Cannot open: Permission denied"));
        var entries = node.ResultEntries();
        Assert.That(entries, Does.ContainKey("output/kept.txt"));
    }

    [Test]
    public async Task Run_ResultsOverTheUploadLimit_AreReportedInStatusAndTheJobFailsWithItsLogUploaded()
    {
        await InstallAsync();
        node.WriteJob(
            "mkdir -p output && head -c 20000 /dev/urandom > output/noise.bin && echo computed",
            settings: env => env.Set("AWSRUNNER_RESULTS_PART_BYTES", "5000").Set("AWSRUNNER_RESULTS_PARTS", "2"));

        await node.RunnerAsync("start", "run");
        await node.WaitPoweredOffAsync(TimeSpan.FromSeconds(30));

        Assert.That(node.State, Is.EqualTo("failed"));
        using var status = JsonDocument.Parse(node.ReadObject("status.json"));
        Assert.That(status.RootElement.GetProperty("results_error").GetString(), Does.Match(@"^results are \d{5} bytes, over the limit of 10000 \(2 parts of 5000\)\n?$"));
        Assert.That(node.ReadObject("job.log"), Does.StartWith("computed\n").And.Contain("over the limit of 10000"));
        Assert.That(node.ResultEntries().Keys, Is.EquivalentTo(new[] { "job.log" }));
    }

    [Test]
    public async Task Run_ResultsLargerThanOnePart_GoUpInPartsThatJoinIntoTheArchiveStatusRecords()
    {
        await InstallAsync();
        node.WriteJob(
            "mkdir -p output && head -c 350000 /dev/urandom > output/noise.bin",
            settings: env => env.Set("AWSRUNNER_RESULTS_PART_BYTES", "100000").Set("AWSRUNNER_RESULTS_PARTS", "20"));

        await node.RunnerAsync("start", "run");
        await node.WaitPoweredOffAsync(TimeSpan.FromSeconds(30));

        var parts = Directory.GetFiles(node.JobObjects, "results.tar.gz.part-*").Order(StringComparer.Ordinal).ToList();
        var joined = parts.SelectMany(File.ReadAllBytes).ToArray();
        using var status = JsonDocument.Parse(node.ReadObject("status.json"));
        var archive = status.RootElement.GetProperty("archive");
        Assert.Multiple(() =>
        {
            Assert.That(node.State, Is.EqualTo("done"));
            Assert.That(parts.Select(Path.GetFileName), Is.EqualTo(new[] { "results.tar.gz.part-00001", "results.tar.gz.part-00002", "results.tar.gz.part-00003", "results.tar.gz.part-00004" }));
            Assert.That(parts.SkipLast(1).Select(p => new FileInfo(p).Length), Is.All.EqualTo(100_000));
            Assert.That(File.Exists(Path.Combine(node.JobObjects, "results.tar.gz")), Is.False, "the archive goes up as its parts only");
            Assert.That(archive.GetProperty("parts").GetInt32(), Is.EqualTo(4));
            Assert.That(archive.GetProperty("part_bytes").GetInt64(), Is.EqualTo(100_000));
            Assert.That(archive.GetProperty("bytes").GetInt64(), Is.EqualTo(joined.Length));
            Assert.That(archive.GetProperty("sha256").GetString(), Is.EqualTo(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(joined))));
            Assert.That(RunnerNode.ArchiveEntries(joined), Does.ContainKey("output/noise.bin"), "the parts join into the archive");
            Assert.That(Directory.GetFiles(node.Runner, "results.part*"), Is.Empty, "a part is cut from the archive only for its upload");
        });
    }

    [Test]
    public async Task Run_PartsUploadFailingForAWhile_AreRetriedAndStatusComesLast()
    {
        await InstallAsync();
        var later = Path.Combine(node.Bucket, "jobs", "later");
        node.WriteJob(
            "mkdir -p output && head -c 250000 /dev/urandom > output/noise.bin",
            settings: env => env.Set("AWSRUNNER_RESULTS_PART_BYTES", "100000").Set("AWSRUNNER_RESULTS_PARTS", "20"),
            objects: later);

        await node.RunnerAsync("start", "run");
        await node.WaitForStateAsync("uploading");
        await Task.Delay(TimeSpan.FromSeconds(1));
        Directory.CreateDirectory(later);
        await node.WaitPoweredOffAsync(TimeSpan.FromSeconds(30));

        var joined = Directory.GetFiles(later, "results.tar.gz.part-*").Order(StringComparer.Ordinal).SelectMany(File.ReadAllBytes).ToArray();
        using var status = JsonDocument.Parse(File.ReadAllText(Path.Combine(later, "status.json")));
        Assert.That(node.State, Is.EqualTo("done"));
        Assert.That(status.RootElement.GetProperty("archive").GetProperty("sha256").GetString(),
            Is.EqualTo(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(joined))));
        Assert.That(File.ReadAllText(Path.Combine(node.Runner, "runner.log")), Does.Contain("upload failed, retrying"));
    }

    [Test]
    public async Task Deadline_WhileTheJobRuns_StopsItUploadsWhatItHasSayingDeadlineThenPowersOff()
    {
        await InstallAsync();
        node.WriteJob(
            "mkdir -p output && echo partial > output/part.txt && echo working && sleep 300",
            settings: env => env.Set("AWSRUNNER_TIMEOUT_SECONDS", "600"));
        await node.RunnerAsync("start", "run");
        await node.WaitForStateAsync("running");
        var log = Path.Combine(node.Runner, "job.log");
        await Support.Eventually.WaitAsync(() => File.Exists(log) && File.ReadAllText(log).Contains("working", StringComparison.Ordinal), TimeSpan.FromSeconds(10), "the job's first line");

        await node.ArmAsync(TimeSpan.FromSeconds(1));
        await node.WaitPoweredOffAsync(TimeSpan.FromSeconds(30));

        using var status = JsonDocument.Parse(node.ReadObject("status.json"));
        Assert.That(status.RootElement.GetProperty("state").GetString(), Is.EqualTo("deadline"));
        Assert.That(status.RootElement.GetProperty("exit_code").ValueKind, Is.EqualTo(JsonValueKind.Null));
        Assert.That(node.ReadObject("job.log"), Does.StartWith("working\n").And.Contain("dead man's switch"));
        Assert.That(node.ResultEntries(), Does.ContainKey("output/part.txt").WithValue("partial\n"));
        Assert.That(node.ReadObject("heartbeat.json"), Does.Contain("\"deadline\""));
        await Support.Eventually.WaitAsync(() => node.LiveProcesses().Count == 0, TimeSpan.FromSeconds(10), "the job and the runner to be gone");
    }

    [Test]
    public async Task Run_JobPastItsTimeout_IsStoppedAndItsLogSaysSo()
    {
        await InstallAsync();
        node.WriteJob("echo working; sleep 300", settings: env => env.Set("AWSRUNNER_TIMEOUT_SECONDS", "1"));

        await node.RunnerAsync("start", "run");
        await node.WaitPoweredOffAsync(TimeSpan.FromSeconds(30));

        using var status = JsonDocument.Parse(node.ReadObject("status.json"));
        Assert.That(status.RootElement.GetProperty("exit_code").GetInt32(), Is.EqualTo(124));
        Assert.That(node.ReadObject("job.log"), Is.EqualTo("working\nawsrunner: the job was stopped after its timeout of 1s\n"));
    }

    [Test]
    public async Task Run_HostileCommandAndVariables_ReachTheJobByteForByte()
    {
        await InstallAsync();
        const string value = "it's \"quoted\" $HOME `uname` | ; & é 日本\nsecond line";
        node.WriteJob(
            "printf '[%s]\\n' \"$tricky\" \"$AWSRUNNER_INDEX\" \"$AWSRUNNER_JOB\"; echo 'single $x' | tr a-z A-Z; echo \"ünïcode\"",
            [KeyValuePair.Create("tricky", value)]);

        await node.RunnerAsync("start", "run");
        await node.WaitPoweredOffAsync();

        Assert.That(node.ReadObject("job.log"), Is.EqualTo($"[{value}]\n[3]\n[unit]\nSINGLE $X\nünïcode\n"));
    }

    [Test]
    public async Task Run_WhileRunning_UploadsHeartbeatsWithTheJobsProgress()
    {
        await InstallAsync();
        node.WriteJob("echo 'step 2 of 5' > \"$AWSRUNNER_PROGRESS\"; sleep 3");

        await node.RunnerAsync("start", "run");
        var heartbeat = Path.Combine(node.JobObjects, "heartbeat.json");
        await Support.Eventually.WaitAsync(
            () => File.Exists(heartbeat) ? File.ReadAllText(heartbeat) : "",
            text => text.Contains("step 2 of 5", StringComparison.Ordinal),
            TimeSpan.FromSeconds(10),
            "a heartbeat with progress");

        using var document = JsonDocument.Parse(File.ReadAllText(heartbeat));
        Assert.That(document.RootElement.GetProperty("state").GetString(), Is.EqualTo("running"));
        Assert.That(document.RootElement.GetProperty("started").GetString(), Is.Not.Empty);
        await node.WaitPoweredOffAsync();
    }

    [Test]
    public async Task StartRun_Twice_StartsTheJobOnce()
    {
        await InstallAsync();
        node.WriteJob("echo once >> ../ran.txt; sleep 2");

        var first = await node.RunnerAsync("start", "run");
        var second = await node.RunnerAsync("start", "run");
        await node.WaitPoweredOffAsync();

        Assert.That(first.Output.Trim(), Is.AnyOf("queued", "running"));
        Assert.That(second.Output.Trim(), Is.AnyOf("queued", "running", "uploading", "done"));
        Assert.That(File.ReadAllText(Path.Combine(node.Home, "ran.txt")), Is.EqualTo("once\n"));
    }

    [Test]
    public async Task Arm_AfterItsTime_PowersTheNodeOffWhateverRuns()
    {
        await InstallAsync();
        node.WriteJob("sleep 300");
        await node.RunnerAsync("start", "run");

        await node.ArmAsync(TimeSpan.FromSeconds(1));
        await node.WaitPoweredOffAsync(TimeSpan.FromSeconds(10));

        Assert.That(File.ReadAllText(Path.Combine(node.Runner, "runner.log")), Does.Match("dead man's switch armed: the job stops in [01]s, at 20[0-9-]+T"));
    }

    [Test]
    public async Task Deadline_AfterTheJobIsDone_OnlyPowersOffAndLeavesItsStateAlone()
    {
        await InstallAsync();
        node.WriteJob("echo hello");
        await node.RunnerAsync("start", "run");
        await node.WaitPoweredOffAsync();
        File.Delete(node.PoweredOffMark);
        var status = node.ReadObject("status.json");

        await node.ArmAsync(TimeSpan.FromSeconds(1));
        await node.WaitPoweredOffAsync(TimeSpan.FromSeconds(10));

        Assert.That(node.State, Is.EqualTo("done"));
        Assert.That(node.ReadObject("status.json"), Is.EqualTo(status));
    }

    [Test]
    public async Task Run_SharedSlots_MakeTheSecondNodeWaitItsTurn()
    {
        using var other = new RunnerNode();
        var slots = Path.Combine(node.Bucket, "slots");
        foreach (var n in new[] { node, other })
        {
            n.WriteNodeEnv(new NodeEnvFile()
                .Set("AWSRUNNER_POWEROFF", "touch " + ShellQuote.Quote(n.PoweredOffMark))
                .Set("AWSRUNNER_SLOTS_DIR", slots)
                .Set("AWSRUNNER_SLOTS", "1"));
            await n.RunnerAsync("start", "install");
            await n.WaitForStateAsync("ready");
        }

        var release = Path.Combine(node.Bucket, "release");
        node.WriteJob($"while [ ! -e {ShellQuote.Quote(release)} ]; do sleep 0.1; done");
        other.WriteJob("true");
        await node.RunnerAsync("start", "run");
        await node.WaitForStateAsync("running");
        await other.RunnerAsync("start", "run");
        await Task.Delay(TimeSpan.FromSeconds(1.5));

        Assert.That(other.State, Is.EqualTo("queued"));
        File.WriteAllText(release, "");
        await other.WaitPoweredOffAsync();
        Assert.That(other.State, Is.EqualTo("done"));
    }

    private async Task InstallAsync()
    {
        await node.RunnerAsync("start", "install");
        await node.WaitForStateAsync("ready");
    }
}
