using System.Globalization;
using System.Text.RegularExpressions;
using CsvHelper;
using CsvHelper.Configuration;

namespace AwsRunner.Core.Jobs;

/// <summary>Reads the CSV with CsvHelper's parser and applies the job-file rules, failing at the first problem.</summary>
internal sealed partial class JobFileReader(string path)
{
    private const string InstanceTypeColumn = "instance_type";
    private const string CommandColumn = "command";
    private const string ReservedPrefix = "AWSRUNNER_";

    public JobFile Read(TextReader text)
    {
        var config = new CsvConfiguration(CultureInfo.InvariantCulture)
        {
            IgnoreBlankLines = true,
            DetectDelimiter = false,
            BadDataFound = bad => throw Fail(bad.Context.Parser?.RawRow ?? 0, $"malformed CSV near \"{Shorten(bad.RawRecord)}\" (a quote inside an unquoted field?)"),
        };
        using var parser = new CsvParser(text, config);

        if (!parser.Read())
        {
            throw Fail(1, "the file is empty; it needs a header row naming instance_type and command");
        }

        var headerLine = StartLine(parser);
        var header = ReadHeader(parser.Record!, headerLine);
        var rows = new List<JobRow>();
        while (parser.Read())
        {
            rows.Add(ReadRow(header, parser.Record!, StartLine(parser), rows.Count));
        }

        return rows.Count == 0
            ? throw Fail(headerLine + 1, "the file has a header but no jobs")
            : new JobFile(path, header.Variables.Select(v => v.Name).ToList(), rows);
    }

    private static int StartLine(CsvParser parser)
    {
        var raw = parser.RawRecord.TrimEnd('\r', '\n');
        return parser.RawRow - raw.Count(c => c == '\n');
    }

    private Header ReadHeader(string[] names, int line)
    {
        if (names.Any(n => InstanceType().IsMatch(n.Trim())))
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

    private string CheckVariableName(string name, int line, int column)
    {
        if (name.Length == 0)
        {
            throw Fail(line, column, null, "empty column name; every extra column names a variable");
        }

        if (!ShellIdentifier().IsMatch(name))
        {
            throw Fail(line, column, name, "not a valid shell variable name (letters, digits and _, not starting with a digit); extra columns become environment variables");
        }

        return name.StartsWith(ReservedPrefix, StringComparison.OrdinalIgnoreCase)
            ? throw Fail(line, column, name, $"names starting with {ReservedPrefix} are reserved for awsrunner")
            : name;
    }

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

        var instanceType = fields[header.InstanceType].Trim();
        if (instanceType.Length == 0)
        {
            throw Fail(line, header.InstanceType + 1, InstanceTypeColumn, "empty instance type");
        }

        if (!InstanceType().IsMatch(instanceType))
        {
            throw Fail(line, header.InstanceType + 1, InstanceTypeColumn, $"instance type \"{Shorten(instanceType)}\" is not of the form family.size (e.g. c5.large)");
        }

        var command = fields[header.Command];
        if (command.Trim().Length == 0)
        {
            throw Fail(line, header.Command + 1, CommandColumn, "empty command");
        }

        var variables = header.Variables
            .Select(v => KeyValuePair.Create(v.Name, fields[v.Column]))
            .ToList();
        return new JobRow(index, line, instanceType, command, variables);
    }

    private InvalidInputException Fail(int line, string problem) =>
        new("JobFile", $"{path}:{line}: {problem}");

    private InvalidInputException Fail(int line, int column, string? name, string problem) =>
        new("JobFile", $"{path}:{line}: column {column}{(name is null ? "" : $" ({name})")}: {problem}");

    private static string Shorten(string text)
    {
        var oneLine = text.ReplaceLineEndings(" ").Trim();
        return oneLine.Length <= 40 ? oneLine : oneLine[..40] + "...";
    }

    [GeneratedRegex("^[a-z][a-z0-9-]*\\.[a-z0-9]+$")]
    private static partial Regex InstanceType();

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex ShellIdentifier();

    private sealed record Header(int InstanceType, int Command, IReadOnlyList<(string Name, int Column)> Variables, int Width);
}
