using AwsRunner.Core.Dispatch;
using AwsRunner.Core.Ledger;
using AwsRunner.Tests.Support;

namespace AwsRunner.Tests.Dispatch;

public sealed class ResultMergerTests
{
    private TempFolder folder = null!;

    [SetUp]
    public void SetUp() => folder = new TempFolder();

    [TearDown]
    public void TearDown() => folder.Dispose();

    [Test]
    public void Merge_AJsonObjectPerJob_IsARowPerJobWithEveryNameOnce()
    {
        Finished(0, "output/result.json", """{"pi": 3.1412, "note": "a, b"}""");
        Finished(1, "output/result.json", """{"pi": 3.1416, "converged": true, "extra": {"k": [1, 2]}}""");

        var result = Merge(Sweep(("1", "20000"), ("2", "40000")), source: null);

        Assert.That((result.Jobs, result.Rows, result.LeftOut.Count), Is.EqualTo((2, 2, 0)));
        Assert.That(Merged(), Is.EqualTo(
            "batch,job,instance_type,command,seed,samples,pi,note,converged,extra\n" +
            "pisweep,0,t3.micro,bash pi.sh,1,20000,3.1412,\"a, b\",,\n" +
            "pisweep,1,t3.micro,bash pi.sh,2,40000,3.1416,,true,\"{\"\"k\"\": [1, 2]}\"\n"));
    }

    [Test]
    public void Merge_JsonLines_IsARowPerLine()
    {
        Finished(0, "output/steps.jsonl", "{\"step\": 1, \"loss\": 0.5}\n\n{\"step\": 2, \"loss\": 0.25}\n");
        Finished(1, "output/steps.jsonl", "{\"step\": 1, \"loss\": 0.7}\n");

        var result = Merge(Sweep(("1", "20000"), ("2", "40000")), source: "output/steps.jsonl");

        Assert.That((result.Jobs, result.Rows), Is.EqualTo((2, 3)));
        Assert.That(Merged(), Does.EndWith(
            "pisweep,0,t3.micro,bash pi.sh,1,20000,1,0.5\n" +
            "pisweep,0,t3.micro,bash pi.sh,1,20000,2,0.25\n" +
            "pisweep,1,t3.micro,bash pi.sh,2,40000,1,0.7\n"));
    }

    [Test]
    public void Merge_JsonLinesInADotJsonFile_AreReadAsJsonLines()
    {
        Finished(0, "output/result.json", "{\"step\": 1}\n{\"step\": 2}\n");

        var result = Merge(Sweep(("1", "20000")), source: null);

        Assert.That((result.Jobs, result.Rows, result.LeftOut.Count), Is.EqualTo((1, 2, 0)));
    }

    [Test]
    public void Merge_ResultColumnsRepeatingTheJobFilesWithTheSameValues_AreWrittenOnce()
    {
        // The demo's jobs write their own seed and samples beside pi.
        Finished(0, "output/result.csv", "seed,samples,pi\n1,20000,3.141200\n");
        Finished(1, "output/result.csv", "seed,samples,pi\n2,40000,3.141600\n");

        Merge(Sweep(("1", "20000"), ("2", "40000")), source: null);

        Assert.That(Merged(), Is.EqualTo(
            "batch,job,instance_type,command,seed,samples,pi\n" +
            "pisweep,0,t3.micro,bash pi.sh,1,20000,3.141200\n" +
            "pisweep,1,t3.micro,bash pi.sh,2,40000,3.141600\n"));
    }

    [Test]
    public void Merge_AResultColumnNamedAfterAJobFileColumnWithOtherValues_IsKeptUnderItsOwnName()
    {
        Finished(0, "output/result.csv", "seed,job,pi\n1,fit,3.1\n");
        Finished(1, "output/result.csv", "seed,job,pi\n7,fit,3.2\n");

        Merge(Sweep(("1", "20000"), ("2", "40000")), source: null);

        var lines = Merged().Split('\n');
        Assert.That(lines[0], Is.EqualTo("batch,job,instance_type,command,seed,samples,result.seed,result.job,pi"));
        Assert.That(lines[0].Split(','), Is.Unique);
        Assert.That(lines[2], Is.EqualTo("pisweep,1,t3.micro,bash pi.sh,2,40000,7,fit,3.2"));
    }

    [TestCase("output/result.json", "not json at all\n", "output/result.json:1: not JSON ('not json at all ' is an invalid JSON literal", TestName = "Merge_AJsonSourceThatIsNotJson_IsLeftOutWithItsLine")]
    [TestCase("output/result.json", "{\"a\": 1}\n{\"a\": \n", "output/result.json:2: not JSON (", TestName = "Merge_JsonLinesWithABrokenLine_IsLeftOutWithThatLine")]
    [TestCase("output/result.json", "[1, 2]", "output/result.json: item 1 of the array is a number, not an object of named values", TestName = "Merge_AJsonArrayOfNumbers_IsLeftOutSayingWhy")]
    [TestCase("output/result.json", "", "output/result.json is empty", TestName = "Merge_AnEmptyJsonSource_IsLeftOutAsEmpty")]
    [TestCase("output/result.csv", "a,b\n1,\"2\"x\n", "output/result.csv:2: malformed CSV near \"1,\"2\"x\"", TestName = "Merge_AMalformedCsv_IsLeftOutWithItsLine")]
    [TestCase("output/result.csv", "a,b\n1,2\n3\n", "output/result.csv:3: the row has 1 fields but the header has 2", TestName = "Merge_ACsvRowOfAnotherWidth_IsLeftOutWithItsLine")]
    [TestCase("output/result.csv", "a,a\n1,2\n", "output/result.csv:1: column 2 (a) names a column again (also column 1)", TestName = "Merge_ACsvHeaderNamingAColumnTwice_IsLeftOut")]
    public void Merge_ASourceThatCannotBeRead_IsLeftOutWithOneLineAndTheOthersMerged(string source, string content, string reason)
    {
        Finished(0, source, content);
        Finished(1, source, source.EndsWith(".json", StringComparison.Ordinal) ? """{"a": "1"}""" : "a,b\n1,2\n");

        var result = Merge(Sweep(("1", "20000"), ("2", "40000")), source);

        Assert.That(result.LeftOut.Select(l => l.Index), Is.EqualTo(new[] { 0 }));
        Assert.That(result.LeftOut[0].Reason, Does.StartWith(reason));
        Assert.That(result.LeftOut[0].Reason, Does.Not.Contain("\n"));
        Assert.That((result.Jobs, result.Rows), Is.EqualTo((1, 1)));
    }

    [Test]
    public void Merge_ACsvNamedAsTheSourceOfJson_IsLeftOutNamingTheFile()
    {
        Finished(0, "output/result.csv", "seed,samples,pi\n1,20000,3.1\n");

        var result = Merge(Sweep(("1", "20000")), source: "output/result.json");

        Assert.That(result.LeftOut.Single().Reason, Is.EqualTo("it has no output/result.json"));
    }

    [Test]
    public void Merge_NoJobReadable_LeavesAnEarlierMergedFileAsItWas()
    {
        Finished(0, "output/result.json", "garbage");
        folder.Write("merged.csv", "an earlier merge\n");

        var result = Merge(Sweep(("1", "20000")), source: null);

        Assert.That((result.Jobs, result.LeftOut.Count), Is.EqualTo((0, 1)));
        Assert.That(Merged(), Is.EqualTo("an earlier merge\n"));
        Assert.That(Directory.GetFiles(folder.Path), Has.Length.EqualTo(1), "no temporary file is left behind");
    }

    [Test]
    public void Merge_ACsvWithAByteOrderMark_ReadsItsFirstColumnByItsName()
    {
        Finished(0, "output/result.csv", "\uFEFFseed,pi\r\n1,3.1\r\n");

        Merge(Sweep(("1", "20000")), source: null);

        Assert.That(Merged(), Is.EqualTo("batch,job,instance_type,command,seed,samples,pi\npisweep,0,t3.micro,bash pi.sh,1,20000,3.1\n"));
    }

    [Test]
    public void Merge_ACsvAndAJsonFile_TakesTheCsv()
    {
        Finished(0, "output/result.csv", "pi\n3.1\n");
        Finished(0, "output/config.json", """{"lr": 0.1}""");

        Merge(Sweep(("1", "20000")), source: null);

        Assert.That(Merged(), Does.EndWith(",3.1\n"));
    }

    private void Finished(int index, string relative, string content)
    {
        var job = $"out/{index:D4}/";
        folder.Write(job + "status.json", """{"exit_code":0}""");
        folder.Write(job + relative, content);
    }

    private MergeResult Merge(LedgerDocument manifest, string? source) =>
        ResultMerger.Merge(manifest, folder.Combine("out"), folder.Combine("merged.csv"), source);

    private string Merged() => File.ReadAllText(folder.Combine("merged.csv"));

    private static LedgerDocument Sweep(params (string Seed, string Samples)[] rows) =>
        TestLedgers.Of("pisweep", "instance_type,command,seed,samples\n" + string.Concat(rows.Select(r => $"t3.micro,bash pi.sh,{r.Seed},{r.Samples}\n")));
}
