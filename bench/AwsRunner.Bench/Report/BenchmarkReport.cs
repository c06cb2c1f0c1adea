using System.Text;
using System.Text.RegularExpressions;

namespace AwsRunner.Bench.Report;

/// <summary>
/// Puts the numbers into docs/benchmarks.md. The page's prose is written by hand; each measurement's numbers live
/// between <c>&lt;!-- bench:NAME --&gt;</c> and <c>&lt;!-- /bench:NAME --&gt;</c>, and only the blocks of the measurements
/// that ran are replaced.
/// </summary>
internal static partial class BenchmarkReport
{
    public const string Machine = "machine";

    public static string Render(string heading, string markdown) => $"### {heading}\n\n{markdown.Trim()}\n";

    public static void Write(string page, IReadOnlyDictionary<string, string> blocks)
    {
        var text = File.ReadAllText(page);
        foreach (var (name, content) in blocks)
        {
            var block = BlockPattern(name);
            if (!block.IsMatch(text))
            {
                throw new InvalidOperationException($"{page} has no <!-- bench:{name} --> ... <!-- /bench:{name} --> block for these numbers");
            }

            text = block.Replace(text, $"<!-- bench:{name} -->\n{content.Trim()}\n<!-- /bench:{name} -->", 1);
        }

        File.WriteAllText(page, text, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
    }

    private static Regex BlockPattern(string name) =>
        new($"<!-- bench:{Regex.Escape(name)} -->.*?<!-- /bench:{Regex.Escape(name)} -->", RegexOptions.Singleline | RegexOptions.CultureInvariant);
}
