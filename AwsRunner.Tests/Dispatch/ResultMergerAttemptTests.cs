using AwsRunner.Core.Dispatch;
using AwsRunner.Tests.Support;

namespace AwsRunner.Tests.Dispatch;

public sealed class ResultMergerAttemptTests
{
    [Test]
    public void Merge_RetriedJobWithAnEarlierAttemptsPartialCsvBesideIt_MergesOnlyTheJobsOwnResult()
    {
        using var folder = new TempFolder();
        folder.Write("out/0000/status.json", """{"index":0,"exit_code":0}""");
        folder.Write("out/0000/output/results.csv", "step,loss\n1,0.5\n");
        folder.Write("out/0000/attempt-1/status.json", """{"index":0,"exit_code":143,"state":"preempted"}""");
        folder.Write("out/0000/attempt-1/output/results.csv", "step,loss\n");
        var manifest = TestLedgers.Rows("sweep", 1);

        var result = ResultMerger.Merge(manifest, folder.Combine("out"), folder.Combine("merged.csv"), source: null);

        Assert.That((result.Jobs, result.Rows, result.LeftOut.Count), Is.EqualTo((1, 1, 0)));
        Assert.That(File.ReadAllText(folder.Combine("merged.csv")).ReplaceLineEndings("\n"), Does.EndWith("1,0.5\n"));
    }
}
