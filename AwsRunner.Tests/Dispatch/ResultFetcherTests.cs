using System.Formats.Tar;
using System.IO.Compression;
using System.Text;
using AwsRunner.Core.Cloud;
using AwsRunner.Core.Dispatch;
using AwsRunner.Core.Ledger;
using AwsRunner.Tests.Support;

namespace AwsRunner.Tests.Dispatch;

/// <summary>What fetch makes of what nodes uploaded, hostile archives included: two finished jobs, each checked alone.</summary>
public sealed class ResultFetcherTests
{
    private const string Batch = "sweep";
    private const string Status = """{"index":0,"exit_code":0}""";

    private MemoryResultStore store = null!;
    private TempFolder folder = null!;
    private ResultFetcher fetcher = null!;
    private BatchLedger ledger = null!;

    private string Output => folder.Combine("out");

    [SetUp]
    public void SetUp()
    {
        store = new MemoryResultStore(TimeProvider.System);
        folder = new TempFolder();
        fetcher = new ResultFetcher(new CloudConnection("fake", new FakeCloud(), null!, store));
        ledger = TestLedgers.StoreAsync(store, TestLedgers.Rows(Batch, 2)).GetAwaiter().GetResult();
        PutJob(1, Archive(File("output/answer.txt", "42")));
    }

    [TearDown]
    public void TearDown() => folder.Dispose();

    [Test]
    public async Task Fetch_ArchiveWithALinkOutOfTheJobFolder_ThatJobIsReportedAndTheOtherFetched()
    {
        PutJob(0, Archive(File("output/a.txt", "a"), new PaxTarEntry(TarEntryType.SymbolicLink, "output/passwd") { LinkName = "/etc/passwd" }));

        var result = await FetchAsync();

        AssertOnlyJob0Refused(result, "mem://sweep/sweep/jobs/0000/results.tar.gz: entry \"output/passwd\" is a symbolic link (to /etc/passwd): fetch unpacks regular files and folders only");
    }

    [TestCase("../escaped.txt", "leads out of the job's folder (..)", TestName = "Fetch_ArchiveEntryWithDotDot_IsRefused")]
    [TestCase("output/../../escaped.txt", "leads out of the job's folder (..)", TestName = "Fetch_ArchiveEntryWithDotDotInside_IsRefused")]
    [TestCase("/escaped.txt", "has an absolute path", TestName = "Fetch_ArchiveEntryWithAnAbsolutePath_IsRefused")]
    public async Task Fetch_ArchiveEntryPathOutOfTheJobFolder_IsRefused(string name, string problem)
    {
        PutJob(0, Archive(File("output/a.txt", "a"), File(name, "escaped")));

        var result = await FetchAsync();

        AssertOnlyJob0Refused(result, $"entry \"{name}\" {problem}");
        Assert.That(Directory.EnumerateFiles(folder.Path, "escaped.txt", SearchOption.AllDirectories), Is.Empty);
    }

    [Test]
    public async Task Fetch_ArchiveWithAHardLink_IsRefused()
    {
        PutJob(0, Archive(File("output/a.txt", "a"), new PaxTarEntry(TarEntryType.HardLink, "output/shadow") { LinkName = "/etc/shadow" }));

        var result = await FetchAsync();

        AssertOnlyJob0Refused(result, "entry \"output/shadow\" is a hard link (to /etc/shadow)");
    }

    [TestCase(TarEntryType.CharacterDevice, "a device file", TestName = "Fetch_ArchiveWithADeviceFile_IsRefused")]
    [TestCase(TarEntryType.Fifo, "a fifo", TestName = "Fetch_ArchiveWithAFifo_IsRefused")]
    public async Task Fetch_ArchiveWithASpecialFile_IsRefused(TarEntryType type, string kind)
    {
        var special = new PaxTarEntry(type, "output/special");
        if (type == TarEntryType.CharacterDevice)
        {
            (special.DeviceMajor, special.DeviceMinor) = (1, 3);
        }

        PutJob(0, Archive(File("output/a.txt", "a"), special));

        var result = await FetchAsync();

        AssertOnlyJob0Refused(result, $"entry \"output/special\" is {kind}");
    }

    [Test]
    public async Task Fetch_ArchiveAsItsNodePackedIt_IsCheckedAndUnpacked()
    {
        var archive = Archive(File("output/a.txt", "a"));
        PutJob(0, archive, packed: archive);

        var result = await FetchAsync();

        Assert.That(result.Succeeded.Select(j => j.Index), Is.EqualTo(new[] { 0, 1 }));
        Assert.That(System.IO.File.ReadAllText(Path.Combine(Output, "0000", "output", "a.txt")), Is.EqualTo("a"));
    }

    [Test]
    public async Task Fetch_ArchiveCutShort_IsReportedForItsJobNeverAsSucceeded_TheOtherFetched()
    {
        // What a node cut off mid-pack uploaded: the first part of its archive, status.json recording the whole.
        var whole = Archive(File("output/a.txt", "a"), File("output/noise.bin", Noise(200_000)));
        PutJob(0, whole[..(whole.Length / 3)], packed: whole);

        var result = await FetchAsync();

        AssertOnlyJob0Refused(result, $"mem://sweep/sweep/jobs/0000/results.tar.gz: it holds {whole.Length / 3} bytes, but its node packed {whole.Length} (status.json): the archive is not whole");
    }

    [Test]
    public async Task Fetch_ArchiveDamaged_IsReportedForItsJobNeverAsSucceeded_TheOtherFetched()
    {
        var whole = Archive(File("output/a.txt", "a"), File("output/noise.bin", Noise(200_000)));
        var damaged = whole.ToArray();
        damaged[damaged.Length / 2] ^= 0x40;
        PutJob(0, damaged, packed: whole);

        var result = await FetchAsync();

        AssertOnlyJob0Refused(result, $"its SHA-256 is {Sha256(damaged)}, but its node packed {Sha256(whole)} (status.json): the archive is damaged");
    }

    [Test]
    public async Task Fetch_ArchiveInParts_IsJoinedCheckedAndUnpacked_ASecondFetchDownloadsNothing()
    {
        var noise = Noise(150_000);
        var archive = Archive(File("job.log", "log 0\n"), File("output/noise.bin", noise));
        PutParts(0, archive, partBytes: 50_000);

        var first = await FetchAsync();
        var second = await FetchAsync();

        Assert.Multiple(() =>
        {
            Assert.That(first.NotFetched.Select(j => j.Error), Is.Empty);
            Assert.That(first.Succeeded.Select(j => j.Index), Is.EqualTo(new[] { 0, 1 }));
            Assert.That(System.IO.File.ReadAllBytes(Path.Combine(Output, "0000", "output", "noise.bin")), Is.EqualTo(Encoding.Latin1.GetBytes(noise)));
            Assert.That(first.ArchivesDownloaded, Is.EqualTo(2), "the parts are one archive");
            Assert.That(second.Downloaded, Is.Zero);
            Assert.That(Directory.EnumerateFileSystemEntries(Path.Combine(Output, "0000")).Select(Path.GetFileName),
                Has.None.StartsWith("results.tar.gz"), "the parts are joined aside, never left in the job's folder");
        });
    }

    [Test]
    public async Task Fetch_ArchiveInPartsOneMissing_IsReportedForItsJobNeverAsSucceeded()
    {
        var archive = Archive(File("output/noise.bin", Noise(150_000)));
        PutParts(0, archive, partBytes: 50_000);
        await store.DeleteAsync(Batch, "sweep/parts/i-0abc/00004", CancellationToken.None);

        var result = await FetchAsync();

        var parts = (archive.Length + 49_999) / 50_000;
        AssertOnlyJob0Refused(result, $"{parts - 1} of the {parts} parts its node packed are in the bucket: the archive is not whole");
    }

    [TestCase("sweep/parts/i-0other/00001", TestName = "Fetch_ArchivePartsOfAnotherNode_AreNeverFetched")]
    [TestCase("sweep/jobs/0001/results.tar.gz", TestName = "Fetch_ArchivePartsOutsideTheNodesParts_AreNeverFetched")]
    [TestCase("sweep/parts/i-0abc/../../jobs/0001/results.tar.gz", TestName = "Fetch_ArchivePartsClimbingOutOfTheNodesParts_AreNeverFetched")]
    public async Task Fetch_StatusListingPartsNotItsNodesOwn_IsReportedForItsJob(string key)
    {
        var archive = Archive(File("output/noise.bin", Noise(150_000)));
        PutParts(0, archive, partBytes: 50_000, listed: [key]);

        var result = await FetchAsync();

        AssertOnlyJob0Refused(result, "its status.json lists parts that are not its node's own (sweep/parts/i-0abc/): the archive is not fetched");
    }

    [Test]
    public async Task Fetch_JobWhoseNodeCouldNotPackEveryResult_IsReportedWithTarsMessageAndWhatWasPackedIsKept()
    {
        PutJob(0, Archive(File("output/a.txt", "a")));
        store.Put(Batch, "sweep/jobs/0000/status.json", """{"index":0,"exit_code":0,"results_error":"tar: output/b.txt: Cannot open: Permission denied\n"}""");

        var result = await FetchAsync();

        Assert.That(result.NotFetched.Select(j => (j.Index, j.Error)), Is.EqualTo(new[] { (0, "its node could not pack every result: tar: output/b.txt: Cannot open: Permission denied") }));
        Assert.That(result.Succeeded.Select(j => j.Index), Is.EqualTo(new[] { 1 }));
        Assert.That(System.IO.File.ReadAllText(Path.Combine(Output, "0000", "output", "a.txt")), Is.EqualTo("a"));
    }

    [Test]
    public async Task Fetch_ArchiveThatUnpacksOverTheCap_IsRefusedBeforeItFillsTheDisk()
    {
        PutJob(0, Archive(File("output/zeros.bin", new string('\0', 100_000))));

        var result = await FetchAsync(new FetchOptions { MaxResultBytes = 50_000 });

        Assert.That(store.ListAsync(Batch, "sweep/jobs/0000/results.tar.gz", CancellationToken.None).Result.Single().Size, Is.LessThan(50_000), "the archive itself is small");
        AssertOnlyJob0Refused(result, "results.tar.gz: it unpacks to more than 48.8 KiB (FetchOptions.MaxResultBytes)");
    }

    [Test]
    public async Task Fetch_ArchiveLargerThanTheCap_IsRefused()
    {
        var noise = new byte[60_000];
        new Random(7).NextBytes(noise);
        PutJob(0, Archive(File("output/noise.bin", Encoding.Latin1.GetString(noise))));

        var result = await FetchAsync(new FetchOptions { MaxResultBytes = 50_000 });

        AssertOnlyJob0Refused(result, "results.tar.gz: it holds 58.9 KiB, more than 48.8 KiB (FetchOptions.MaxResultBytes)");
    }

    [Test]
    public async Task Fetch_LinkAlreadyInTheJobFolder_IsNotWrittenThrough()
    {
        var elsewhere = Directory.CreateDirectory(folder.Combine("elsewhere")).FullName;
        Directory.CreateDirectory(Path.Combine(Output, "0000"));
        Directory.CreateSymbolicLink(Path.Combine(Output, "0000", "output"), elsewhere);
        PutJob(0, Archive(File("output/a.txt", "a")));

        var result = await FetchAsync();

        Assert.That(result.NotFetched.Single().Error, Does.Contain("0000/output is a link: fetch does not write through links"));
        Assert.That(Directory.EnumerateFileSystemEntries(elsewhere), Is.Empty);
    }

    [Test]
    public async Task Fetch_DeletedLocalCopy_IsDownloadedAgain()
    {
        await FetchAsync();
        System.IO.File.Delete(Path.Combine(Output, "0001", "output", "answer.txt"));

        var again = await FetchAsync();

        Assert.That(again.Downloaded, Is.EqualTo(1), "the archive, once more");
        Assert.That(System.IO.File.ReadAllText(Path.Combine(Output, "0001", "output", "answer.txt")), Is.EqualTo("42"));
    }

    [Test]
    public async Task Fetch_ArchiveCarryingALogThatGrewSince_SecondFetchDownloadsNothing()
    {
        PutJob(0, Archive(File("job.log", "started\n"), File("status.json", Status), File("output/a.txt", "a")), log: "started\nfinished\n");

        var first = await FetchAsync();
        var second = await FetchAsync();

        Assert.That(first.Downloaded, Is.EqualTo(6));
        Assert.That((second.Downloaded, second.Skipped), Is.EqualTo((0, 6)));
        Assert.That(System.IO.File.ReadAllText(Path.Combine(Output, "0000", "job.log")), Is.EqualTo("started\nfinished\n"));
    }

    private Task<FetchResult> FetchAsync(FetchOptions? options = null) =>
        fetcher.FetchAsync(ledger, Output, options ?? new FetchOptions(), CancellationToken.None);

    private void AssertOnlyJob0Refused(FetchResult result, string error)
    {
        Assert.Multiple(() =>
        {
            Assert.That(result.NotFetched.Select(j => j.Index), Is.EqualTo(new[] { 0 }));
            Assert.That(result.NotFetched.Single().Error, Does.Contain(error));
            Assert.That(result.Succeeded.Select(j => j.Index), Is.EqualTo(new[] { 1 }), "the other job is fetched all the same");
            Assert.That(System.IO.File.ReadAllText(Path.Combine(Output, "0001", "output", "answer.txt")), Is.EqualTo("42"));
            Assert.That(Directory.Exists(Path.Combine(Output, "0000", "output")), Is.False, "nothing of a refused archive is unpacked");
            Assert.That(System.IO.File.ReadAllText(Path.Combine(Output, "0000", "job.log")), Is.EqualTo("log 0\n"), "its log still comes home");
        });
    }

    /// <summary>A job's objects; with <paramref name="packed"/>, its status.json records that archive as the one its node packed.</summary>
    private void PutJob(int index, byte[] archive, string? log = null, byte[]? packed = null)
    {
        store.PutAsync(Batch, $"sweep/jobs/{index:D4}/results.tar.gz", archive, CancellationToken.None).GetAwaiter().GetResult();
        store.Put(Batch, $"sweep/jobs/{index:D4}/job.log", log ?? $"log {index}\n");
        var status = Status.Replace("\"index\":0", $"\"index\":{index}", StringComparison.Ordinal);
        if (packed is not null)
        {
            status = status.TrimEnd('}') + $$$""","archive":{"bytes":{{{packed.Length}}},"sha256":"{{{Sha256(packed)}}}"}}""";
        }

        store.Put(Batch, $"sweep/jobs/{index:D4}/status.json", status);
    }

    /// <summary>
    /// A job whose archive went up in parts of <paramref name="partBytes"/>, as a node does with an archive larger than
    /// that: its node's part objects, numbered on from <paramref name="firstPart"/> (the node's rows share them), which
    /// status.json lists; <paramref name="listed"/> overrides the keys it lists.
    /// </summary>
    private void PutParts(int index, byte[] archive, int partBytes, int firstPart = 3, IReadOnlyList<string>? listed = null)
    {
        var parts = archive.Chunk(partBytes).ToList();
        var keys = Enumerable.Range(firstPart, parts.Count).Select(part => $"sweep/parts/i-0abc/{part:D5}").ToList();
        foreach (var (key, part) in keys.Zip(parts))
        {
            store.PutAsync(Batch, key, part, CancellationToken.None).GetAwaiter().GetResult();
        }

        var names = string.Join(',', (listed ?? keys).Select(k => $"\"{k}\""));
        store.Put(Batch, $"sweep/jobs/{index:D4}/job.log", $"log {index}\n");
        store.Put(Batch, $"sweep/jobs/{index:D4}/status.json",
            $$$"""{"index":{{{index}}},"exit_code":0,"node":"i-0abc","archive":{"bytes":{{{archive.Length}}},"sha256":"{{{Sha256(archive)}}}","parts":[{{{names}}}],"part_bytes":{{{partBytes}}}}}""");
    }

    private static string Sha256(byte[] bytes) => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes));

    private static string Noise(int length)
    {
        var noise = new byte[length];
        new Random(11).NextBytes(noise);
        return Encoding.Latin1.GetString(noise);
    }

    private static PaxTarEntry File(string name, string content) =>
        new(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(Encoding.Latin1.GetBytes(content)) };

    private static byte[] Archive(params TarEntry[] entries)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Optimal, leaveOpen: true))
        using (var tar = new TarWriter(gzip))
        {
            foreach (var entry in entries)
            {
                tar.WriteEntry(entry);
            }
        }

        return buffer.ToArray();
    }
}
