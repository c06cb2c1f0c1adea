using System.Text.Json;
using System.Text.Json.Serialization;
using AwsRunner.Core.Jobs;

namespace AwsRunner.Core.Dispatch;

/// <summary>The plan as stored in the bucket (<c>NAME/manifest.json</c>): rows, instances, install and dispatch outcomes.</summary>
internal sealed record BatchManifest
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        WriteIndented = true,
    };

    public required string Name { get; init; }

    public required string Bucket { get; init; }

    public required string Cloud { get; init; }

    public required string ImageId { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public required int HeartbeatSeconds { get; init; }

    public required double MaxHours { get; init; }

    public required IReadOnlyList<ManifestRow> Rows { get; init; }

    // The names of the secrets the jobs were given: never their values.
    public IReadOnlyList<string> Secrets { get; init; } = [];

    /// <summary>
    /// A batch keeps its jobs: results in the bucket belong to rows by index, so a re-run whose job file changed a
    /// row (its instance type, command or a variable) is refused, naming the row and column.
    /// </summary>
    public void CheckSameJobs(BatchPlan plan)
    {
        const string Advice = "give the new jobs a new NAME, or restore the file";
        var file = plan.Jobs;
        if (file.Rows.Count > Rows.Count)
        {
            throw JobFileReader.Fail(file.Path, file.Rows[Rows.Count].Line, $"a job batch \"{Name}\" does not have (it has {Rows.Count}); {Advice}");
        }

        if (file.Rows.Count < Rows.Count)
        {
            throw JobFileReader.Fail(file.Path, file.Rows[^1].Line, $"the file ends after {file.Rows.Count} jobs, batch \"{Name}\" has {Rows.Count}; {Advice}");
        }

        var names = Rows[0].Variables.Keys.ToHashSet(StringComparer.Ordinal);
        if (file.VariableNames.FirstOrDefault(n => !names.Contains(n)) is { } added)
        {
            throw JobFileReader.Fail(file.Path, file.HeaderLine, file.Columns[added], added, $"a column batch \"{Name}\" does not have; {Advice}");
        }

        if (names.FirstOrDefault(n => !file.Columns.ContainsKey(n)) is { } removed)
        {
            throw JobFileReader.Fail(file.Path, file.HeaderLine, $"column {removed} of batch \"{Name}\" is missing; {Advice}");
        }

        foreach (var (row, kept) in file.Rows.Zip(Rows))
        {
            (string Column, string Now, string Then)[] fields =
            [
                (JobFileReader.InstanceTypeColumn, row.InstanceType, kept.InstanceType),
                (JobFileReader.CommandColumn, row.Command, kept.Command),
                .. row.Variables.Select(v => (v.Key, v.Value, kept.Variables[v.Key])),
            ];
            if (fields.FirstOrDefault(f => f.Now != f.Then) is { Column: not null } changed)
            {
                throw JobFileReader.Fail(file.Path, row.Line, file.Columns[changed.Column], changed.Column,
                    $"\"{JobFileReader.Shorten(changed.Now)}\" differs from \"{JobFileReader.Shorten(changed.Then)}\", the value batch \"{Name}\" was created with; {Advice}");
            }
        }
    }

    public byte[] ToBytes() => JsonSerializer.SerializeToUtf8Bytes(this, Json);

    /// <summary>
    /// Reads a manifest and checks it as the job file is checked (names, indexes, variable names, instance types):
    /// whoever can write to the bucket can change it, and its rows become commands, variables and paths here.
    /// </summary>
    /// <param name="bytes">The stored manifest.</param>
    /// <param name="batch">The batch it is read for.</param>
    /// <param name="bucket">The bucket it was read from, which it is then taken to be in, whatever it says.</param>
    /// <param name="source">Where it was read from, for the message.</param>
    public static BatchManifest FromBytes(byte[] bytes, string batch, string bucket, string source) =>
        TryRead(bytes, batch, bucket, out var problem)
        ?? throw new CloudException("BadManifest", $"read the manifest {source}", problem!,
            hint: $"it was changed outside awsrunner: restore it, or run the jobs again as a new batch (another NAME)");

    /// <summary>The manifest, or null with what is wrong with it.</summary>
    public static BatchManifest? TryRead(byte[] bytes, string batch, string bucket, out string? problem)
    {
        BatchManifest? manifest;
        try
        {
            manifest = JsonSerializer.Deserialize<BatchManifest>(bytes, Json);
        }
        catch (JsonException e)
        {
            problem = $"not a batch manifest ({e.Message})";
            return null;
        }

        problem = manifest is null ? "not a batch manifest (empty)" : ManifestCheck.Problem(manifest, batch);
        return problem is null ? manifest! with { Bucket = bucket } : null;
    }
}
