using System.Text;

namespace AwsRunner.Bench.Report;

/// <summary>A GitHub-flavoured Markdown table, built row by row.</summary>
internal sealed class MarkdownTable(params string[] header)
{
    private readonly List<string[]> rows = [];

    public MarkdownTable Row(params string[] cells)
    {
        rows.Add(cells);
        return this;
    }

    public override string ToString()
    {
        var text = new StringBuilder();
        text.Append("| ").Append(string.Join(" | ", header)).AppendLine(" |");
        text.Append('|').Append(string.Concat(header.Select((_, i) => i == 0 ? " --- |" : " ---: |"))).AppendLine();
        foreach (var row in rows)
        {
            text.Append("| ").Append(string.Join(" | ", row)).AppendLine(" |");
        }

        return text.ToString();
    }
}
