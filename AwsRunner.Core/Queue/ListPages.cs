using AwsRunner.Core.Cloud;

namespace AwsRunner.Core.Queue;

/// <summary>
/// The LIST pages a node of one instance type reads to see its rows' claims, heartbeats and ends. A page's URL is
/// signed ahead (a continuation token cannot be), so each page starts after a key known now and must hold every
/// object of its rows within its keys: a row counts <see cref="ResultKeys.QueueObjectsPerAttempt"/> objects for each
/// attempt number up to the highest it may reach, earlier runs' included (their objects may still be there). The
/// rows of other types between two of this type's take their share of a page too, since S3 lists them as well, in
/// key order: <c>1000/</c> sorts before <c>10000/</c> and that before <c>1001/</c>.
/// </summary>
internal static class ListPages
{
    public static IReadOnlyList<ListPage> For(string batch, IReadOnlyList<QueueRow> rows, string instanceType, int pageKeys)
    {
        var inKeyOrder = rows
            .Select(r => (Row: r, Folder: ResultKeys.QueueRow(batch, r.Index), Objects: ResultKeys.QueueObjectsPerAttempt * r.LastAttempt))
            .OrderBy(r => r.Folder, StringComparer.Ordinal)
            .ToList();
        var pages = new List<ListPage>();
        var next = 0;
        while (true)
        {
            while (next < inKeyOrder.Count && inKeyOrder[next].Row.InstanceType != instanceType)
            {
                next++;
            }

            if (next == inKeyOrder.Count)
            {
                return pages;
            }

            var first = inKeyOrder[next];
            if (first.Objects > pageKeys)
            {
                throw new InvalidOperationException(
                    $"row {first.Row.Index} may reach attempt {first.Row.LastAttempt}: its {first.Objects} queue objects do not fit in one LIST page of {pageKeys} keys");
            }

            var covered = new List<int>();
            var keys = 0;
            while (next < inKeyOrder.Count && keys + inKeyOrder[next].Objects <= pageKeys)
            {
                keys += inKeyOrder[next].Objects;
                if (inKeyOrder[next].Row.InstanceType == instanceType)
                {
                    covered.Add(inKeyOrder[next].Row.Index);
                }

                next++;
            }

            pages.Add(new ListPage(first.Folder, covered));
        }
    }
}
