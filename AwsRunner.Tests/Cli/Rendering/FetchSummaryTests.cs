using AwsRunner.Cli.Rendering;
using AwsRunner.Core.Dispatch;

namespace AwsRunner.Tests.Cli.Rendering;

public sealed class FetchSummaryTests
{
    private static FetchedJob Job(int index, int objects, int? exitCode = 0) => new() { Index = index, ExitCode = exitCode, ObjectsDownloaded = objects };

    [Test]
    public void Line_FirstFetchOfArchivesThatCarriedEverything_CountsJobsOneArchiveEach()
    {
        // S3: four archives downloaded, the eight status and log objects found unpacked from them.
        var result = new FetchResult { OutputDirectory = "/out", Jobs = [Job(0, 1), Job(1, 1), Job(2, 1), Job(3, 1)], Downloaded = 4, Skipped = 8, Bytes = 2048, ArchivesDownloaded = 4 };

        Assert.That(FetchSummary.Line("demo", result), Is.EqualTo("Fetched batch demo into /out: 4 jobs downloaded (one archive each, 2 KiB)."));
    }

    [Test]
    public void Line_FetchWithNothingNew_SaysTheJobsAreAlreadyHere()
    {
        var result = new FetchResult { OutputDirectory = "/out", Jobs = [Job(0, 0), Job(1, 0), Job(2, 0), Job(3, 0, exitCode: 5)], Downloaded = 0, Skipped = 12, Bytes = 0 };

        Assert.That(FetchSummary.Line("demo", result), Is.EqualTo("Fetched batch demo into /out: 4 jobs already here."));
    }

    [Test]
    public void Line_OneJobNewWithItsLogApart_OthersHere_CountsBothAndTheObjects()
    {
        var result = new FetchResult { OutputDirectory = "/out", Jobs = [Job(0, 2), Job(1, 0), Job(2, 0), Job(3, 0, exitCode: null)], Downloaded = 2, Skipped = 4, Bytes = 100, ArchivesDownloaded = 1 };

        Assert.That(FetchSummary.Line("demo", result), Is.EqualTo("Fetched batch demo into /out: 1 job downloaded (2 objects, 100 B), 2 already here."));
    }

    [Test]
    public void Line_NoJobFinishedYet_SaysNothingWasDownloaded()
    {
        var result = new FetchResult { OutputDirectory = "/out", Jobs = [Job(0, 0, exitCode: null)], Downloaded = 0, Skipped = 0, Bytes = 0 };

        Assert.That(FetchSummary.Line("demo", result), Is.EqualTo("Fetched batch demo into /out: nothing downloaded."));
    }
}
