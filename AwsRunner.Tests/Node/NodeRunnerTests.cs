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
    public async Task StartWork_BeforeInstall_IsRefused()
    {
        node.WriteJob("true");

        var result = await node.StartWorkAsync();

        Assert.That(result.ExitCode, Is.EqualTo(3));
        Assert.That(result.Error, Does.Contain("not ready to work (state: none)"));
    }

    [Test]
    public async Task Run_SucceedingJob_UploadsResultsLogAndStatusThenPowersOff()
    {
        await InstallAsync();
        node.WriteJob("mkdir -p output && echo 42 > output/answer.txt && echo computing");

        await node.StartWorkAsync();
        await node.WaitPoweredOffAsync();

        Assert.That(node.RowState(), Is.EqualTo("done"));
        Assert.That(node.State, Is.EqualTo("done"), "the node's work is over");
        Assert.That(node.Done(), Is.EqualTo("done 0"));
        Assert.That(File.ReadAllText(node.QueueObject(RunnerNode.Row, 1, "claim")), Is.EqualTo("node=i-0test slot=1"));
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

        await node.StartWorkAsync();
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
            if [ "$1" = -cf ] && [ ! -e {{ShellQuote.Quote(packing)}} ]; then
                /usr/bin/tar "$@" | head -c 5000 && touch {{ShellQuote.Quote(packing)}} && exec sleep 300
            fi
            exec /usr/bin/tar "$@"
            """.ReplaceLineEndings("\n"));
        File.SetUnixFileMode(Path.Combine(bin, "tar"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        node.WriteNodeEnv(new NodeEnvFile()
            .Set("AWSRUNNER_POWEROFF", "touch " + ShellQuote.Quote(node.PoweredOffMark))
            .Set("PATH", bin + ":" + Environment.GetEnvironmentVariable("PATH")));
        await InstallAsync();
        node.WriteJob("mkdir -p output && head -c 300000 /dev/urandom > output/noise.bin && echo computed");

        await node.StartWorkAsync();
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

        await node.StartWorkAsync();
        await node.WaitPoweredOffAsync();

        Assert.That(node.RowState(), Is.EqualTo("failed"));
        Assert.That(node.Done(), Is.EqualTo("failed 7"));
        Assert.That(node.ReadObject("job.log"), Is.EqualTo("about to fail\n"));
        using var status = JsonDocument.Parse(node.ReadObject("status.json"));
        Assert.That(status.RootElement.GetProperty("exit_code").GetInt32(), Is.EqualTo(7));
    }

    [Test]
    public async Task Run_JobKilledMidRun_IsReportedWithTheSignalsExitCodeAndItsLog()
    {
        await InstallAsync();
        node.WriteJob("echo started; exec sleep 300");

        await node.StartWorkAsync();
        await node.WaitForLogAsync("started");
        var sleeper = node.LiveProcesses().Single(p => File.ReadAllText($"/proc/{p}/cmdline").StartsWith("sleep\0300", StringComparison.Ordinal));
        System.Diagnostics.Process.GetProcessById(sleeper).Kill();
        await node.WaitPoweredOffAsync();

        Assert.That(node.RowState(), Is.EqualTo("failed"));
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

        await node.StartWorkAsync();
        await node.WaitForRowStateAsync("uploading");
        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.That(node.PoweredOff, Is.False, "the node must not power off while its results are not uploaded");
        Assert.That(node.Done(), Is.Null, "the .done comes after status.json");
        Directory.CreateDirectory(later);
        await node.WaitPoweredOffAsync(TimeSpan.FromSeconds(30));

        Assert.That(node.RowState(), Is.EqualTo("done"));
        Assert.That(node.Done(), Is.EqualTo("done 0"));
        Assert.That(File.ReadAllText(Path.Combine(later, "job.log")), Is.EqualTo("hello\n"));
        Assert.That(File.Exists(Path.Combine(later, "status.json")), Is.True);
        Assert.That(File.ReadAllText(Path.Combine(node.Runner, "runner.log")), Does.Contain("an upload did not go through, retrying"));
    }

    [Test]
    public async Task Run_UploadFailingPastTheGracePeriod_SaysUploadFailedKeepsTryingAndUploadsOnceItCan()
    {
        await InstallAsync();
        var later = Path.Combine(node.Bucket, "jobs", "later");
        node.WriteJob("mkdir -p output && echo 42 > output/answer.txt", settings: env => env.Set("AWSRUNNER_UPLOAD_GRACE_SECONDS", "1"), objects: later);
        var heartbeatObject = node.QueueObject(RunnerNode.Row, 1, "heartbeat.json");

        await node.StartWorkAsync();
        await node.WaitForRowStateAsync("upload-failed", timeout: TimeSpan.FromSeconds(30));
        var beat = await Support.Eventually.WaitAsync(
            () => File.Exists(heartbeatObject) ? File.ReadAllText(heartbeatObject) : "",
            text => text.Contains("\"upload-failed\"", StringComparison.Ordinal),
            TimeSpan.FromSeconds(10),
            "an upload-failed heartbeat");
        await Task.Delay(TimeSpan.FromSeconds(3));
        Assert.That(node.PoweredOff, Is.False, "the node must keep its results while they are not uploaded");
        Directory.CreateDirectory(later);
        await node.WaitPoweredOffAsync(TimeSpan.FromSeconds(40));

        using var heartbeat = JsonDocument.Parse(beat);
        Assert.That(heartbeat.RootElement.GetProperty("upload_error").GetString(), Does.Contain(later).And.Contain("No such file or directory"));
        Assert.That(node.RowState(), Is.EqualTo("done"));
        Assert.That(File.Exists(Path.Combine(later, "status.json")), Is.True);
        Assert.That(File.Exists(Path.Combine(later, "results.tar.gz")), Is.True);
    }

    [Test]
    public async Task Run_UploadUrlsReplacedWhileUploadsFail_TheNextTryUsesTheFreshOnes()
    {
        await InstallAsync();
        node.WriteJob("echo hello", objects: Path.Combine(node.Bucket, "expired"));

        await node.StartWorkAsync();
        await node.WaitForRowStateAsync("uploading");
        Directory.CreateDirectory(node.JobObjects);
        File.WriteAllText(Path.Combine(node.RowFolder(), NodeRunnerScript.UrlsEnvFile), node.RowUrls(RunnerNode.Row, 1, node.JobObjects));
        await node.WaitPoweredOffAsync(TimeSpan.FromSeconds(30));

        Assert.That(node.RowState(), Is.EqualTo("done"));
        Assert.That(node.ReadObject("job.log"), Is.EqualTo("hello\n"));
        Assert.That(File.Exists(Path.Combine(node.JobObjects, "status.json")), Is.True);
    }

    [Test]
    public async Task Run_ResultPathTarCannotRead_FailsTheJobAndStatusCarriesTarsMessage()
    {
        node.WithoutRootsFileAccess = true;
        await InstallAsync();
        node.WriteJob("mkdir -p output && echo kept > output/kept.txt && echo secret > output/secret.txt && chmod 000 output/secret.txt");

        await node.StartWorkAsync();
        await node.WaitPoweredOffAsync(TimeSpan.FromSeconds(30));

        Assert.That(node.RowState(), Is.EqualTo("failed"));
        Assert.That(node.Done(), Is.EqualTo("failed 0"));
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
        node.WriteQueue(
            [new QueueRow(RunnerNode.Row, "mkdir -p output && head -c 20000 /dev/urandom > output/noise.bin && echo computed")],
            env => env.Set("AWSRUNNER_RESULTS_PART_BYTES", "5000"),
            parts: 2);

        await node.StartWorkAsync();
        await node.WaitPoweredOffAsync(TimeSpan.FromSeconds(30));

        Assert.That(node.RowState(), Is.EqualTo("failed"));
        using var status = JsonDocument.Parse(node.ReadObject("status.json"));
        Assert.That(status.RootElement.GetProperty("results_error").GetString(), Does.Match(@"^results are \d{5} bytes, over the limit of 10000 \(2 parts of 5000\)\n?$"));
        Assert.That(node.ReadObject("job.log"), Does.StartWith("computed\n").And.Contain("over the limit of 10000"));
        Assert.That(node.ResultEntries().Keys, Is.EquivalentTo(new[] { "job.log" }));
    }

    [Test]
    public async Task Run_ResultsLargerThanOnePart_GoUpInPartsThatJoinIntoTheArchiveStatusRecords()
    {
        await InstallAsync();
        // Two rows of the node: the second's parts are the node's next ones, after the first's.
        node.WriteQueue(
            [new QueueRow(RunnerNode.Row, "mkdir -p output && head -c 150000 /dev/urandom > output/noise.bin"),
                new QueueRow(RunnerNode.Row + 1, "mkdir -p output && head -c 350000 /dev/urandom > output/noise.bin")],
            env => env.Set("AWSRUNNER_RESULTS_PART_BYTES", "100000"));

        await node.StartWorkAsync();
        await node.WaitPoweredOffAsync(TimeSpan.FromSeconds(30));

        using var first = JsonDocument.Parse(node.ReadObject("status.json"));
        using var status = JsonDocument.Parse(File.ReadAllText(Path.Combine(node.Jobs(RunnerNode.Row + 1), "status.json")));
        var archive = status.RootElement.GetProperty("archive");
        var keys = archive.GetProperty("parts").EnumerateArray().Select(k => k.GetString()!).ToList();
        var parts = keys.Select(k => Path.Combine(node.Bucket, k)).ToList();
        var joined = parts.SelectMany(File.ReadAllBytes).ToArray();
        Assert.Multiple(() =>
        {
            Assert.That(node.RowState(RunnerNode.Row + 1), Is.EqualTo("done"));
            Assert.That(first.RootElement.GetProperty("archive").GetProperty("parts").EnumerateArray().Select(k => k.GetString()),
                Is.EqualTo(new[] { "unit/parts/i-0test/00001", "unit/parts/i-0test/00002" }));
            Assert.That(keys, Is.EqualTo(new[] { "unit/parts/i-0test/00003", "unit/parts/i-0test/00004", "unit/parts/i-0test/00005", "unit/parts/i-0test/00006" }));
            Assert.That(parts.SkipLast(1).Select(p => new FileInfo(p).Length), Is.All.EqualTo(100_000));
            Assert.That(File.Exists(Path.Combine(node.Jobs(RunnerNode.Row + 1), "results.tar.gz")), Is.False, "the archive goes up as its parts only");
            Assert.That(archive.GetProperty("part_bytes").GetInt64(), Is.EqualTo(100_000));
            Assert.That(archive.GetProperty("bytes").GetInt64(), Is.EqualTo(joined.Length));
            Assert.That(archive.GetProperty("sha256").GetString(), Is.EqualTo(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(joined))));
            Assert.That(RunnerNode.ArchiveEntries(joined), Does.ContainKey("output/noise.bin"), "the parts join into the archive");
            Assert.That(Directory.GetFiles(node.RowFolder(RunnerNode.Row + 1), "results.part*"), Is.Empty, "a part is cut from the archive only for its upload");
        });
    }

    [Test]
    public async Task Run_PartsUploadFailingForAWhile_AreRetriedAndStatusComesLast()
    {
        await InstallAsync();
        var later = Path.Combine(node.Bucket, "parts-later");
        node.WriteQueue(
            [new QueueRow(RunnerNode.Row, "mkdir -p output && head -c 250000 /dev/urandom > output/noise.bin")],
            env => env.Set("AWSRUNNER_RESULTS_PART_BYTES", "100000"),
            partsFolder: later);

        await node.StartWorkAsync();
        await node.WaitForRowStateAsync("uploading");
        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.That(File.Exists(Path.Combine(node.JobObjects, "status.json")), Is.False, "status.json comes after the parts");
        Directory.CreateDirectory(later);
        await node.WaitPoweredOffAsync(TimeSpan.FromSeconds(30));

        var joined = Directory.GetFiles(later).Order(StringComparer.Ordinal).SelectMany(File.ReadAllBytes).ToArray();
        using var status = JsonDocument.Parse(node.ReadObject("status.json"));
        Assert.That(node.RowState(), Is.EqualTo("done"));
        Assert.That(status.RootElement.GetProperty("archive").GetProperty("sha256").GetString(),
            Is.EqualTo(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(joined))));
        Assert.That(File.ReadAllText(Path.Combine(node.Runner, "runner.log")), Does.Contain("an upload did not go through, retrying"));
    }

    [Test]
    public async Task Deadline_WhileTheJobRuns_StopsItUploadsWhatItHasSayingDeadlineThenPowersOff()
    {
        await InstallAsync();
        node.WriteJob(
            "mkdir -p output && echo partial > output/part.txt && echo working && sleep 300",
            settings: env => env.Set("AWSRUNNER_TIMEOUT_SECONDS", "600"));
        await node.StartWorkAsync();
        await node.WaitForLogAsync("working");

        await node.ArmAsync(TimeSpan.FromSeconds(1));
        await node.WaitPoweredOffAsync(TimeSpan.FromSeconds(30));

        using var status = JsonDocument.Parse(node.ReadObject("status.json"));
        Assert.That(status.RootElement.GetProperty("state").GetString(), Is.EqualTo("deadline"));
        Assert.That(status.RootElement.GetProperty("exit_code").ValueKind, Is.EqualTo(JsonValueKind.Null));
        Assert.That(node.ReadObject("job.log"), Does.StartWith("working\n").And.Contain("dead man's switch"));
        Assert.That(node.ResultEntries(), Does.ContainKey("output/part.txt").WithValue("partial\n"));
        Assert.That(node.Done(), Is.EqualTo("deadline -"));
        Assert.That((node.RowState(), node.State), Is.EqualTo(("deadline", "deadline")));
        await Support.Eventually.WaitAsync(() => node.LiveProcesses().Count == 0, TimeSpan.FromSeconds(10), "the job and the runner to be gone");
    }

    [Test]
    public async Task Run_JobPastItsTimeout_IsStoppedAndItsLogSaysSo()
    {
        await InstallAsync();
        node.WriteJob("echo working; sleep 300", settings: env => env.Set("AWSRUNNER_TIMEOUT_SECONDS", "1"));

        await node.StartWorkAsync();
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

        await node.StartWorkAsync();
        await node.WaitPoweredOffAsync();

        Assert.That(node.ReadObject("job.log"), Is.EqualTo($"[{value}]\n[3]\n[unit]\nSINGLE $X\nünïcode\n"));
    }

    [Test]
    public async Task Run_WhileRunning_UploadsHeartbeatsWithTheJobsProgress()
    {
        await InstallAsync();
        node.WriteJob("echo 'step 2 of 5' > \"$AWSRUNNER_PROGRESS\"; sleep 3");

        await node.StartWorkAsync();
        var heartbeat = node.QueueObject(RunnerNode.Row, 1, "heartbeat.json");
        await Support.Eventually.WaitAsync(
            () => File.Exists(heartbeat) ? File.ReadAllText(heartbeat) : "",
            text => text.Contains("step 2 of 5", StringComparison.Ordinal),
            TimeSpan.FromSeconds(10),
            "a heartbeat with progress");

        using var document = JsonDocument.Parse(File.ReadAllText(heartbeat));
        Assert.That(document.RootElement.GetProperty("state").GetString(), Is.EqualTo("running"));
        Assert.That(document.RootElement.GetProperty("started").GetString(), Is.Not.Empty);
        Assert.That(document.RootElement.GetProperty("node").GetString(), Is.EqualTo("i-0test"));
        Assert.That(document.RootElement.GetProperty("attempt").GetInt32(), Is.EqualTo(1));
        Assert.That(document.RootElement.GetProperty("runner").GetInt32(), Is.EqualTo(NodeContract.RunnerVersion));
        await node.WaitPoweredOffAsync();
    }

    [Test]
    public async Task StartWork_Twice_RunsTheRowOnce()
    {
        await InstallAsync();
        node.WriteJob("echo once >> ../ran.txt; sleep 2");

        var first = await node.StartWorkAsync();
        var second = await node.StartWorkAsync();
        await node.WaitPoweredOffAsync();

        Assert.That(first.Output.Trim(), Is.EqualTo("running"));
        Assert.That(second.Output.Trim(), Is.AnyOf("running", "done"));
        Assert.That(File.ReadAllText(Path.Combine(node.Home, "ran.txt")), Is.EqualTo("once\n"));
    }

    [Test]
    public async Task Arm_AfterItsTime_PowersTheNodeOffWhateverRuns()
    {
        await InstallAsync();
        node.WriteJob("sleep 300");
        await node.StartWorkAsync();

        await node.ArmAsync(TimeSpan.FromSeconds(1));
        await node.WaitPoweredOffAsync(TimeSpan.FromSeconds(10));

        Assert.That(File.ReadAllText(Path.Combine(node.Runner, "runner.log")), Does.Match("dead man's switch armed: every row stops in [01]s, at 20[0-9-]+T"));
    }

    [Test]
    public async Task Deadline_AfterTheJobIsDone_OnlyPowersOffAndLeavesItsStateAlone()
    {
        await InstallAsync();
        node.WriteJob("echo hello");
        await node.StartWorkAsync();
        await node.WaitPoweredOffAsync();
        File.Delete(node.PoweredOffMark);
        var status = node.ReadObject("status.json");

        await node.ArmAsync(TimeSpan.FromSeconds(1));
        await node.WaitPoweredOffAsync(TimeSpan.FromSeconds(10));

        Assert.That((node.State, node.RowState(), node.Done()), Is.EqualTo(("done", "done", "done 0")));
        Assert.That(node.ReadObject("status.json"), Is.EqualTo(status));
    }

    private async Task InstallAsync()
    {
        await node.RunnerAsync("start", "install");
        await node.WaitForStateAsync("ready");
    }
}
