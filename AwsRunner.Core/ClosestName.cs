namespace AwsRunner.Core;

/// <summary>
/// The name a mistyped word was most likely meant to be, for "did you mean t3.micro?". (The command line keeps a
/// twin of its own for its flags: it sees only the library's public surface.)
/// </summary>
internal static class ClosestName
{
    /// <summary>The closest of <paramref name="names"/>, when it is close enough to be a typo; else null.</summary>
    public static string? Find(string word, IEnumerable<string> names)
    {
        var most = word.Length <= 3 ? 1 : 2;
        return names
            .Select(name => (Name: name, Distance: Distance(word, name)))
            .Where(c => c.Distance <= most)
            .OrderBy(c => c.Distance)
            .ThenBy(c => c.Name, StringComparer.Ordinal)
            .Select(c => c.Name)
            .FirstOrDefault();
    }

    /// <summary>Edits from one word to the other: a letter added, removed, changed, or two neighbours swapped.</summary>
    private static int Distance(string a, string b)
    {
        if (Math.Abs(a.Length - b.Length) > 2)
        {
            return int.MaxValue;
        }

        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++)
        {
            d[i, 0] = i;
        }

        for (var j = 0; j <= b.Length; j++)
        {
            d[0, j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
                }
            }
        }

        return d[a.Length, b.Length];
    }
}
