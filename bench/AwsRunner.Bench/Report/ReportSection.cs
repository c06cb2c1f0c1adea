namespace AwsRunner.Bench.Report;

/// <summary>One measurement's part of the report.</summary>
/// <param name="Heading">Its heading, as the issue numbers it.</param>
/// <param name="Markdown">Tables and the notes that belong to the numbers.</param>
internal sealed record ReportSection(string Heading, string Markdown);
