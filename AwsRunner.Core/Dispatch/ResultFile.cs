using System.Text;
using System.Text.Json;
using AwsRunner.Core.Jobs;
using CsvHelper;

namespace AwsRunner.Core.Dispatch;

/// <summary>
/// One job's results as rows of named columns, for the merge: a CSV with a header row, a JSON object (one row), a
/// JSON array of objects, or JSON lines (an object a line). Read as it streams, so it may be read twice and be large.
/// </summary>
internal sealed class ResultFile(string path, string name)
{
    private static readonly string[] JsonExtensions = [".json", ".jsonl", ".ndjson"];
    private readonly List<string> columns = [];
    private readonly Dictionary<string, int> positions = new(StringComparer.Ordinal);

    /// <summary>The file as messages name it: relative to the job's folder.</summary>
    public string Name => name;

    /// <summary>
    /// The columns met so far: a CSV's header once reading began, a JSON file's keys in the order they first appear
    /// (complete once <see cref="Rows"/> has been read to its end).
    /// </summary>
    public IReadOnlyList<string> Columns => columns;

    public bool IsJson => IsJsonName(path);

    public static bool IsJsonName(string file) => JsonExtensions.Contains(Path.GetExtension(file), StringComparer.OrdinalIgnoreCase);

    /// <summary>Every row, its values in the order of <see cref="Columns"/> as they stand when it is read (null: no value).</summary>
    /// <exception cref="InvalidDataException">The file cannot be read as a table: the message says where (<c>name:line</c>) and what.</exception>
    public IEnumerable<string?[]> Rows()
    {
        columns.Clear();
        positions.Clear();
        return IsJson ? JsonRows() : CsvRows();
    }

    private IEnumerable<string?[]> CsvRows()
    {
        var options = new CsvReaderOptions
        {
            HasHeader = false,
            Separator = ',',
            SkipEmptyLines = true,
            TrackLineNumbers = true,
            // A stray quote would be read as text: such a file is reported, with the line it is on.
            OnMalformedRecord = bad => throw new InvalidDataException($"{name}:{Math.Max(bad.LineNumber, 1)}: malformed CSV near \"{JobFileReader.Shorten(bad.RawRecord)}\""),
            DetectSeparatorHint = false,
        };
        using var reader = Open(() => CsvReader.Create(File.OpenRead(path), options, leaveOpen: false));
        if (!Step(reader))
        {
            throw new InvalidDataException($"{name} is empty");
        }

        var header = reader.Current.ToArray();
        for (var i = 0; i < header.Length; i++)
        {
            if (!positions.TryAdd(header[i], i))
            {
                throw new InvalidDataException($"{name}:{reader.LineNumber}: column {i + 1} ({header[i]}) names a column again (also column {positions[header[i]] + 1})");
            }

            columns.Add(header[i]);
        }

        while (Step(reader))
        {
            if (reader.FieldCount != header.Length)
            {
                throw new InvalidDataException($"{name}:{reader.LineNumber}: the row has {reader.FieldCount} fields but the header has {header.Length}");
            }

            yield return reader.Current.ToArray();
        }
    }

    private bool Step(CsvReader reader)
    {
        try
        {
            return reader.Read();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidDataException($"{name} cannot be read ({e.Message})");
        }
    }

    private IEnumerable<string?[]> JsonRows()
    {
        var whole = Open(() => File.ReadAllBytes(path));
        using var document = ParseOrNull(whole, out var asOneValue);
        if (document is null)
        {
            // Not one JSON value: JSON lines, an object a line, or not JSON at all.
            return JsonLines(whole, asOneValue!);
        }

        return document.RootElement.ValueKind switch
        {
            JsonValueKind.Object => [Row(document.RootElement)],
            JsonValueKind.Array => document.RootElement.EnumerateArray().Select((element, i) => element.ValueKind == JsonValueKind.Object
                ? Row(element)
                : throw new InvalidDataException($"{name}: item {i + 1} of the array is {Kind(element)}, not an object of named values")).ToList(),
            _ => throw new InvalidDataException($"{name}: holds {Kind(document.RootElement)}, not an object of named values, an array of them or JSON lines"),
        };
    }

    private IEnumerable<string?[]> JsonLines(byte[] whole, JsonException asOneValue)
    {
        var lines = Encoding.UTF8.GetString(whole).Split('\n');
        var rows = 0;
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].Trim().TrimStart('\uFEFF');
            if (line.Length == 0)
            {
                continue;
            }

            using var document = ParseOrNull(Encoding.UTF8.GetBytes(line), out var error);
            if (document is null)
            {
                // A first line that is no JSON value either: the file is not JSON lines, and the whole file's error says more.
                throw rows == 0
                    ? new InvalidDataException($"{name}:{(asOneValue.LineNumber ?? 0) + 1}: not JSON ({FirstSentence(asOneValue.Message)})")
                    : new InvalidDataException($"{name}:{i + 1}: not JSON ({FirstSentence(error!.Message)})");
            }

            rows++;
            yield return document.RootElement.ValueKind == JsonValueKind.Object
                ? Row(document.RootElement)
                : throw new InvalidDataException($"{name}:{i + 1}: holds {Kind(document.RootElement)}, not an object of named values");
        }

        if (rows == 0)
        {
            throw new InvalidDataException($"{name} is empty");
        }
    }

    private static JsonDocument? ParseOrNull(ReadOnlyMemory<byte> json, out JsonException? error)
    {
        try
        {
            error = null;
            return JsonDocument.Parse(json);
        }
        catch (JsonException e)
        {
            error = e;
            return null;
        }
    }

    private string?[] Row(JsonElement element)
    {
        var values = new List<string?>(columns.Count);
        values.AddRange(Enumerable.Repeat<string?>(null, columns.Count));
        foreach (var property in element.EnumerateObject())
        {
            if (!positions.TryGetValue(property.Name, out var at))
            {
                at = columns.Count;
                positions[property.Name] = at;
                columns.Add(property.Name);
                values.Add(null);
            }

            values[at] = Text(property.Value);
        }

        return [.. values];
    }

    /// <summary>A value as a table cell: a string as it is, a number as written, nested values as their JSON.</summary>
    private static string? Text(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString(),
        JsonValueKind.Null or JsonValueKind.Undefined => null,
        _ => value.GetRawText(),
    };

    private static string Kind(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.Null => "null",
        _ => "true or false",
    };

    private static string FirstSentence(string message)
    {
        var end = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        // A reason is one line: the parser quotes the bad text, which may span lines.
        return (end < 0 ? message : message[..end]).ReplaceLineEndings(" ").TrimEnd('.', ' ');
    }

    private T Open<T>(Func<T> open)
    {
        try
        {
            return open();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidDataException($"{name} cannot be read ({e.Message})");
        }
    }
}
