using System.Text.Json;
using System.Text.Json.Serialization;

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

    /// <summary>A batch keeps its jobs: results in the bucket belong to rows by index.</summary>
    public void CheckSameJobs(BatchPlan plan)
    {
        var planned = plan.Jobs.Rows;
        if (planned.Count != Rows.Count
            || planned.Zip(Rows).Any(p => p.First.InstanceType != p.Second.InstanceType || p.First.Command != p.Second.Command))
        {
            throw new InvalidInputException("JobFile",
                $"{plan.Jobs.Path}: the job file differs from the one batch \"{plan.Name}\" was created with; give the new jobs a new NAME, or restore the file");
        }
    }

    public byte[] ToBytes() => JsonSerializer.SerializeToUtf8Bytes(this, Json);

    public static BatchManifest FromBytes(byte[] bytes) =>
        JsonSerializer.Deserialize<BatchManifest>(bytes, Json) ?? throw new JsonException("empty manifest");
}
