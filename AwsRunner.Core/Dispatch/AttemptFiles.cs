using AwsRunner.Core.Cloud;

namespace AwsRunner.Core.Dispatch;

/// <summary>A job's objects in the bucket, told apart by attempt (<see cref="ResultKeys.AttemptFolder"/>).</summary>
internal static class AttemptFiles
{
    /// <summary>The objects of one attempt, by file name (<c>status.json</c>, ...).</summary>
    public static Dictionary<string, StoredObject> Of(IEnumerable<(string File, StoredObject Object)> job, int attempt) =>
        job.Select(x => ResultKeys.TryParseAttempt(x.File, out var a, out var file) && a == attempt ? (file, x.Object) : default)
            .Where(x => x.Object is not null)
            .ToDictionary(x => x.file, x => x.Object, StringComparer.Ordinal);

    /// <summary>The status with the row's attempt and how its earlier attempts ended.</summary>
    public static JobStatus WithAttempts(JobStatus status, ManifestRow row) => row.Attempts is not { } attempts
        ? status
        : status with { Attempt = attempts.Current, EarlierAttempts = attempts.Earlier.Select(a => a.ToJobAttempt()).ToList() };
}
