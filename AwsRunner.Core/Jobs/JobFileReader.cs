using System.Globalization;
using CsvHelper;

namespace AwsRunner.Core.Jobs;

/// <summary>Reads the CSV with CsvHelper's parser and applies the job-file rules, failing at the first problem.</summary>
internal sealed class JobFileReader(string path)
{
    public const string InstanceTypeColumn = "instance_type";
    public const string CommandColumn = "command";

    public JobFile Read(TextReader text)
    {
        var options = new CsvReaderOptions
        {
            // The header is read as a record of its own, so that its line and width are checked as every row's are.
            HasHeader = false,
            Separator = ',',
            SkipEmptyLines = true,
            TrackLineNumbers = true,
            FieldCountMismatch = CsvFieldCountHandling.Allow,
            // A stray quote would be read as text: a job file with one is refused, with the line it is on (this
            // handler sees the record; a Throw setting would not show it).
            OnMalformedRecord = bad => throw Fail((int)Math.Max(bad.LineNumber, 1), $"malformed CSV near \"{Shorten(bad.RawRecord)}\" (a quote inside an unquoted field?)"),
            DetectSeparatorHint = false,
        };
        using var reader = CsvReader.Create(text, options, leaveOpen: true);
        if (!reader.Read())
        {
            throw Fail(1, "the file is empty; it needs a header row naming instance_type and command");
        }

        var headerLine = (int)reader.LineNumber;
        var header = ReadHeader(reader.Current.ToArray(), headerLine);
        var rows = new List<JobRow>();
        while (reader.Read())
        {
            rows.Add(ReadRow(header, reader.Current.ToArray(), (int)reader.LineNumber, rows.Count));
        }

        return rows.Count == 0
            ? throw Fail(headerLine + 1, "the file has a header but no jobs")
            : new JobFile(path, header.Variables.Select(v => v.Name).ToList(), rows, headerLine, header.Columns);
    }

    private Header ReadHeader(string[] names, int line)
    {
        if (names.Any(n => InstanceTypeName.IsValid(n.Trim())))
        {
            throw Fail(line, $"line {line} looks like a job, not a header: the first row must name the columns, e.g. {InstanceTypeColumn},{CommandColumn}");
        }

        int? instanceType = null, command = null;
        var variables = new List<(string Name, int Column)>();
        var seen = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < names.Length; i++)
        {
            var name = names[i].Trim();
            var column = i + 1;
            if (seen.TryGetValue(name, out var first))
            {
                throw Fail(line, column, name, $"duplicate column (also column {first})");
            }

            seen[name] = column;
            if (name.Equals(InstanceTypeColumn, StringComparison.OrdinalIgnoreCase))
            {
                instanceType = i;
            }
            else if (name.Equals(CommandColumn, StringComparison.OrdinalIgnoreCase))
            {
                command = i;
            }
            else
            {
                variables.Add((CheckVariableName(name, line, column), i));
            }
        }

        return new Header(
            instanceType ?? throw Fail(line, $"missing required column {InstanceTypeColumn} (the header has: {string.Join(",", names)})"),
            command ?? throw Fail(line, $"missing required column {CommandColumn} (the header has: {string.Join(",", names)})"),
            variables,
            names.Length);
    }

    private string CheckVariableName(string name, int line, int column) =>
        VariableName.Problem(name) is { } problem
            ? throw Fail(line, column, name.Length == 0 ? null : name, problem)
            : name;

    private JobRow ReadRow(Header header, string[] fields, int line, int index)
    {
        if (fields.Length > header.Width)
        {
            throw Fail(line, header.Width + 1, null, $"the row has {fields.Length} fields but the header has {header.Width}");
        }

        if (fields.Length < header.Width)
        {
            throw Fail(line, fields.Length + 1, null, $"the row has {fields.Length} fields but the header has {header.Width}");
        }

        // A command or a variable reaches the node as text ended by a NUL, and no shell command or environment
        // variable can hold one: said here, with its place, not found at dispatch.
        if (Array.FindIndex(fields, f => f.Contains('\0', StringComparison.Ordinal)) is var nul and >= 0)
        {
            throw Fail(line, nul + 1, null, "the field holds a NUL character, which no command or environment variable can");
        }

        var instanceType = fields[header.InstanceType].Trim();
        if (InstanceTypeName.Problem(instanceType) is { } problem)
        {
            throw Fail(line, header.InstanceType + 1, InstanceTypeColumn, problem);
        }

        var command = fields[header.Command];
        if (command.Trim().Length == 0)
        {
            throw Fail(line, header.Command + 1, CommandColumn, "empty command");
        }

        var variables = header.Variables
            .Select(v => KeyValuePair.Create(v.Name, fields[v.Column]))
            .ToList();
        return new JobRow { Index = index, Line = line, InstanceType = instanceType, Command = command, Variables = variables };
    }

    /// <summary>A problem on one line of a job file, as every job-file message is written.</summary>
    public static InvalidInputException Fail(string path, int line, string problem) =>
        new("JobFile", $"{path}:{line}: {problem}");

    /// <summary>A problem in one field (column from 1), as every job-file message is written.</summary>
    public static InvalidInputException Fail(string path, int line, int column, string? name, string problem) =>
        new("JobFile", $"{path}:{line}: column {column}{(name is null ? "" : $" ({name})")}: {problem}");

    /// <summary>A field's text on one line and cut short, for a message.</summary>
    public static string Shorten(string text)
    {
        var oneLine = text.ReplaceLineEndings(" ").Trim();
        return oneLine.Length <= 40 ? oneLine : oneLine[..40] + "...";
    }

    private InvalidInputException Fail(int line, string problem) => Fail(path, line, problem);

    private InvalidInputException Fail(int line, int column, string? name, string problem) => Fail(path, line, column, name, problem);

    private sealed record Header(int InstanceType, int Command, IReadOnlyList<(string Name, int Column)> Variables, int Width)
    {
        /// <summary>Each column's number (from 1) by name: instance_type, command and the variables.</summary>
        public IReadOnlyDictionary<string, int> Columns =>
            Variables.Select(v => KeyValuePair.Create(v.Name, v.Column + 1))
                .Append(KeyValuePair.Create(InstanceTypeColumn, InstanceType + 1))
                .Append(KeyValuePair.Create(CommandColumn, Command + 1))
                .ToDictionary(StringComparer.Ordinal);
    }
}
