using System.Globalization;
using System.Text;

namespace AwsRunner.Core.Cloud.Aws;

/// <summary>
/// Maps instances to rows without a call per instance. One RunInstances call launches N identical instances, so
/// they cannot carry different tags at launch; instead each carries the call's rows (<c>awsrunner:rows</c> =
/// <c>0-3,7,9-12</c>) and EC2 numbers them by <c>AmiLaunchIndex</c> 0..N-1: instance k runs the k-th row listed.
/// A tag value holds at most 256 characters, so rows that do not fit are split over more calls.
/// </summary>
internal static class RowsTag
{
    public const string Key = "awsrunner:rows";
    public const int MaxLength = 256;

    /// <summary>Ascending rows, as few calls as fit the tag.</summary>
    public static IEnumerable<IReadOnlyList<int>> Split(IEnumerable<int> rows)
    {
        var chunk = new List<int>();
        foreach (var row in rows.Order())
        {
            chunk.Add(row);
            if (Encode(chunk).Length > MaxLength)
            {
                chunk.RemoveAt(chunk.Count - 1);
                yield return chunk;
                chunk = [row];
            }
        }

        if (chunk.Count > 0)
        {
            yield return chunk;
        }
    }

    public static string Encode(IReadOnlyList<int> rows)
    {
        var text = new StringBuilder();
        for (var i = 0; i < rows.Count; i++)
        {
            var start = rows[i];
            while (i + 1 < rows.Count && rows[i + 1] == rows[i] + 1)
            {
                i++;
            }

            if (text.Length > 0)
            {
                text.Append(',');
            }

            text.Append(start.ToString(CultureInfo.InvariantCulture));
            if (rows[i] != start)
            {
                text.Append('-').Append(rows[i].ToString(CultureInfo.InvariantCulture));
            }
        }

        return text.ToString();
    }

    /// <summary>The rows a tag lists, in launch order; null when the tag is not one awsrunner wrote.</summary>
    public static IReadOnlyList<int>? Decode(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return null;
        }

        var rows = new List<int>();
        foreach (var part in value.Split(','))
        {
            var bounds = part.Split('-');
            if (bounds.Length > 2 || !bounds.All(b => int.TryParse(b, NumberStyles.None, CultureInfo.InvariantCulture, out _)))
            {
                return null;
            }

            var first = int.Parse(bounds[0], CultureInfo.InvariantCulture);
            var last = int.Parse(bounds[^1], CultureInfo.InvariantCulture);
            if (last < first)
            {
                return null;
            }

            rows.AddRange(Enumerable.Range(first, last - first + 1));
        }

        return rows;
    }
}
