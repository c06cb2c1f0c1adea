using AwsRunner.Core.Cloud;
using AwsRunner.Core.Queue;
using NUnit.Framework;

namespace AwsRunner.Tests.Queue;

[TestFixture]
public sealed class ListPagesTests
{
    private const string Batch = "sweep";

    private static QueueRow Row(int index, string type, int firstAttempt, int attempts) =>
        new(index, type, "true", new Dictionary<string, string>(), Enumerable.Range(firstAttempt, attempts).ToList());

    /// <summary>Every object each row can have: three an attempt, for every attempt number up to its last.</summary>
    private static List<string> AllKeys(IEnumerable<QueueRow> rows) =>
        rows.SelectMany(r => Enumerable.Range(1, r.LastAttempt).SelectMany(a => new[]
        {
            ResultKeys.QueueClaim(Batch, r.Index, a), ResultKeys.QueueHeartbeat(Batch, r.Index, a), ResultKeys.QueueDone(Batch, r.Index, a),
        })).Order(StringComparer.Ordinal).ToList();

    /// <summary>What S3 answers a page: the first 1000 keys after start-after, in key order.</summary>
    private static HashSet<string> Listed(List<string> keys, string startAfter) =>
        keys.Where(k => string.CompareOrdinal(k, startAfter) > 0).Take(S3Page).ToHashSet(StringComparer.Ordinal);

    private const int S3Page = 1000;

    [Test]
    public void Pages_OfMoreThanTenThousandRowsOfThreeTypes_EachHoldEveryObjectOfTheirRows()
    {
        // Over 10,000 rows the folders sort 1000/, 10000/, ..., 10009/, 1001/: pages follow the keys, not the indexes.
        // Every third row is in its second run, its attempts numbered on (4 to 6): its first run's objects may still be there.
        string[] types = ["c5.large", "c5.xlarge", "r5.large"];
        var rows = Enumerable.Range(0, 10_050).Select(i => Row(i, types[i % 3], i % 3 == 0 ? 4 : 1, 3)).ToList();
        var keys = AllKeys(rows);

        foreach (var type in types)
        {
            var pages = ListPages.For(Batch, rows, type, S3Page);

            Assert.That(pages.SelectMany(p => p.Rows).Order(), Is.EqualTo(rows.Where(r => r.InstanceType == type).Select(r => r.Index)),
                $"{type}: every row on exactly one page");
            foreach (var page in pages)
            {
                var listed = Listed(keys, page.StartAfter);
                var missing = AllKeys(rows.Where(r => page.Rows.Contains(r.Index))).Where(k => !listed.Contains(k)).ToList();
                Assert.That(missing, Is.Empty, $"{type}, page after {page.StartAfter}");
            }
        }
    }

    [Test]
    public void Pages_OfOneTypesTenThousandRowsOfThreeAttempts_AreNinetyOne()
    {
        var rows = Enumerable.Range(0, 10_000).Select(i => Row(i, "c5.large", 1, 3)).ToList();

        var pages = ListPages.For(Batch, rows, "c5.large", S3Page);

        Assert.Multiple(() =>
        {
            Assert.That(pages, Has.Count.EqualTo(91), "floor(1000 / 9) = 111 rows a page");
            Assert.That(pages[0].StartAfter, Is.EqualTo("sweep/queue/rows/0000/"));
            Assert.That(pages[0].Rows, Has.Count.EqualTo(111));
        });
    }

    [Test]
    public void Pages_ARowWhoseObjectsCannotFitOnAPage_IsRefusedNamingIt()
    {
        var rows = new[] { Row(0, "c5.large", 1, 3), Row(1, "c5.large", 300, 40) };

        Assert.That(() => ListPages.For(Batch, rows, "c5.large", S3Page),
            Throws.InvalidOperationException.With.Message.Contains("row 1 may reach attempt 339"));
    }
}
