using AwsRunner.Core.Jobs;

namespace AwsRunner.Core.Dispatch;

/// <summary>
/// The job file's rules, applied to a manifest read back from the bucket: its rows name folders, instance types and
/// the variables exported on the nodes, and its figures decide when a job counts as hung.
/// </summary>
internal static class ManifestCheck
{
    /// <summary>What is wrong with the manifest of <paramref name="batch"/>, or null when nothing is.</summary>
    public static string? Problem(BatchManifest manifest, string batch)
    {
        // Deserialization leaves a JSON null in a property declared non-null.
        if (manifest.Name is null || manifest.Bucket is null || manifest.Cloud is null || manifest.ImageId is null || manifest.Rows is null)
        {
            return "a required field is null";
        }

        if (manifest.Name != batch)
        {
            return $"it is the manifest of batch \"{JobFileReader.Shorten(manifest.Name)}\", not of \"{batch}\"";
        }

        if (manifest.HeartbeatSeconds < 1 || !(manifest.MaxHours > 0) || double.IsInfinity(manifest.MaxHours))
        {
            return $"heartbeat_seconds {manifest.HeartbeatSeconds} and max_hours {manifest.MaxHours} must be positive";
        }

        if (manifest.Rows.Count == 0)
        {
            return "it has no rows";
        }

        if (manifest.Secrets is null)
        {
            return "it has no list of secret names";
        }

        foreach (var secret in manifest.Secrets)
        {
            if (secret is null || VariableName.Problem(secret) is not null)
            {
                return $"secret name \"{secret}\" is not a variable name a job may have";
            }
        }

        var names = manifest.Rows[0]?.Variables?.Keys.ToHashSet(StringComparer.Ordinal) ?? [];
        for (var i = 0; i < manifest.Rows.Count; i++)
        {
            if (RowProblem(manifest.Rows[i], i, names) is { } problem)
            {
                return $"row {i}: {problem}";
            }
        }

        return null;
    }

    private static string? RowProblem(ManifestRow? row, int position, HashSet<string> names)
    {
        if (row is null || row.InstanceType is null || row.Command is null || row.Variables is null || row.Variables.Values.Any(v => v is null))
        {
            return "a required field is null";
        }

        if (row.Index != position)
        {
            return $"index {row.Index} where {position} belongs (rows are in job order)";
        }

        if (row.Line < 1)
        {
            return $"line {row.Line} is not a line of a job file";
        }

        if (InstanceTypeName.Problem(row.InstanceType) is { } instanceType)
        {
            return instanceType;
        }

        if (row.Command.Trim().Length == 0)
        {
            return "empty command";
        }

        if (AttemptsProblem(row.Attempts) is { } attempts)
        {
            return attempts;
        }

        foreach (var name in row.Variables.Keys)
        {
            if (VariableName.Problem(name) is { } problem)
            {
                return $"variable \"{JobFileReader.Shorten(name)}\": {problem}";
            }
        }

        return names.SetEquals(row.Variables.Keys)
            ? null
            : $"variables {string.Join(",", row.Variables.Keys)} where the first row has {string.Join(",", names)} (every job has the job file's columns)";
    }

    // The attempt names a folder in the bucket and on this machine; the earlier ones are each attempt before it, in order.
    private static string? AttemptsProblem(RowAttempts? attempts)
    {
        if (attempts is null)
        {
            return null;
        }

        if (attempts.Earlier is null || attempts.Earlier.Any(a => a is null || a.State is null))
        {
            return "a required field is null";
        }

        if (attempts.Current < 1 || attempts.Current > 1 + DispatchOptions.MaxRetriesLimit
            || !attempts.Earlier.Select(a => a.Attempt).SequenceEqual(Enumerable.Range(1, attempts.Current - 1)))
        {
            return $"attempt {attempts.Current} with earlier attempts {string.Join(",", attempts.Earlier.Select(a => a.Attempt))} (each attempt before the current one, in order)";
        }

        return attempts.Earlier.FirstOrDefault(a => !JobStateNames.IsWord(a.State)) is { } unknown
            ? $"attempt {unknown.Attempt} ended \"{JobFileReader.Shorten(unknown.State)}\", not a state"
            : null;
    }
}
