using System.Text;

namespace AwsRunner.Core.Jobs;

/// <summary>A parsed and validated job file: the CSV with one row per job.</summary>
public sealed class JobFile
{
    internal JobFile(string path, IReadOnlyList<string> variableNames, IReadOnlyList<JobRow> rows, int headerLine, IReadOnlyDictionary<string, int> columns)
    {
        Path = path;
        VariableNames = variableNames;
        Rows = rows;
        HeaderLine = headerLine;
        Columns = columns;
    }

    /// <summary>The file as the user named it, used in messages.</summary>
    public string Path { get; }

    /// <summary>The extra columns, in header order: each is a variable in every job's environment.</summary>
    public IReadOnlyList<string> VariableNames { get; }

    /// <summary>The jobs, in file order.</summary>
    public IReadOnlyList<JobRow> Rows { get; }

    /// <summary>The line of the header, for messages.</summary>
    internal int HeaderLine { get; }

    /// <summary>Each column's number (from 1) by name: instance_type, command and the variables, for messages.</summary>
    internal IReadOnlyDictionary<string, int> Columns { get; }

    /// <summary>Reads and validates a job file.</summary>
    /// <param name="path">The CSV file.</param>
    /// <returns>The jobs.</returns>
    /// <exception cref="InvalidInputException">The file is missing, unreadable or breaks a rule; the message names the file, line and column.</exception>
    internal static JobFile Load(string path)
    {
        try
        {
            using var reader = new StreamReader(path, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
            return Parse(reader, path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new InvalidInputException("JobFile", $"{path}: job file not found");
        }
        catch (UnauthorizedAccessException)
        {
            throw new InvalidInputException("JobFile", $"{path}: job file cannot be read (permission denied)");
        }
    }

    /// <summary>Parses job-file text.</summary>
    /// <param name="reader">The CSV text.</param>
    /// <param name="path">The name to use in messages.</param>
    /// <returns>The jobs.</returns>
    /// <exception cref="InvalidInputException">The text breaks a rule; the message names the line and column.</exception>
    internal static JobFile Parse(TextReader reader, string path) => new JobFileReader(path).Read(reader);
}
