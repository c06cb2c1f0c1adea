using AwsRunner.Core.Cloud;
using AwsRunner.Core.Jobs;

namespace AwsRunner.Core.Dispatch;

/// <summary>Checks everything a dispatch needs before anything is created; the first problem ends it.</summary>
internal static class BatchPlanner
{
    /// <summary>The plan, checked against the cloud too: its upload URLs' lifetime and the instance types it offers.</summary>
    public static async Task<BatchPlan> PlanAsync(DispatchOptions options, CloudConnection connection, string home, CancellationToken cancellationToken)
    {
        var plan = Plan(options, connection.Kind, await connection.Results.GetUploadUrlLimitAsync(cancellationToken).ConfigureAwait(false), home,
            bucket => connection.Results.Describe(bucket, ResultKeys.Batch(options.Name)));
        await CheckInstanceTypesAsync(plan.Jobs, connection, cancellationToken).ConfigureAwait(false);
        return plan;
    }

    /// <summary>The plan, checked on this machine only.</summary>
    /// <param name="options">The dispatch.</param>
    /// <param name="cloud">The cloud's short name.</param>
    /// <param name="urls">The longest the cloud's upload URLs work.</param>
    /// <param name="home">The awsrunner home, which the code folder must not hold.</param>
    /// <param name="resultsLocation">Where the results go in a bucket, as the cloud names it.</param>
    public static BatchPlan Plan(DispatchOptions options, string cloud, UploadUrlLimit urls, string home, Func<string, string> resultsLocation)
    {
        BatchName.Validate(options.Name);
        var bucket = options.Bucket is null ? options.Name : BatchName.ValidateBucket(options.Bucket);
        CheckNumbers(options);
        CheckLifetime(options.MaxHours ?? Defaults.MaxHours, urls);
        CheckResultPaths(options.ResultPaths);
        var jobs = JobFile.Load(options.JobFile);
        var secrets = SecretValues.Read(options.Secrets, jobs, Environment.GetEnvironmentVariable);
        var install = options.InstallScript is null ? null : CheckInstallScript(options.InstallScript);
        var code = options.CodeDirectory ?? Path.GetDirectoryName(Path.GetFullPath(options.JobFile))!;
        var (files, bytes) = MeasureCode(code, options.MaxUploadBytes, options.CodeIncludeSecrets ? null : home);
        return new BatchPlan
        {
            Name = options.Name,
            ImageId = options.ImageId,
            Bucket = bucket,
            Cloud = cloud,
            ResultsLocation = resultsLocation(bucket),
            Jobs = jobs,
            InstallScript = install,
            CodeDirectory = Path.GetFullPath(code),
            CodeFiles = files,
            CodeBytes = bytes,
            Options = options,
            Secrets = secrets,
        };
    }

    /// <summary>
    /// A type the cloud does not offer (t3.mirco) would launch nothing, or fail half way: it is the job file's to fix,
    /// named at its first row, with the type it most likely meant. The cloud is asked once for the batch's types.
    /// </summary>
    private static async Task CheckInstanceTypesAsync(JobFile jobs, CloudConnection connection, CancellationToken cancellationToken)
    {
        var unknown = await connection.Cloud.FindUnknownInstanceTypesAsync(
            jobs.Rows.Select(r => r.InstanceType).Distinct(StringComparer.Ordinal).ToList(), cancellationToken).ConfigureAwait(false);
        if (unknown.Count == 0)
        {
            return;
        }

        var row = jobs.Rows.First(r => unknown.ContainsKey(r.InstanceType));
        var where = connection.Kind == "local"
            ? "is not an EC2 instance type (the local cloud takes EC2's names)"
            : $"is not an instance type EC2 offers in {connection.Region ?? "this region"}";
        var others = unknown.Keys.Where(t => t != row.InstanceType).Order(StringComparer.Ordinal).ToList();
        throw JobFileReader.Fail(jobs.Path, row.Line, jobs.Columns[JobFileReader.InstanceTypeColumn], JobFileReader.InstanceTypeColumn,
            $"\"{row.InstanceType}\" {where}"
            + (unknown[row.InstanceType] is { } meant ? $"; did you mean {meant}?" : "")
            + (others.Count == 0 ? "" : $" (nor are {string.Join(", ", others)})"));
    }

    private static void CheckNumbers(DispatchOptions options)
    {
        if (options.MaxHours is { } maxHours && (!(maxHours > 0) || double.IsInfinity(maxHours)))
        {
            throw new InvalidInputException("MaxHours", $"DispatchOptions.MaxHours {options.MaxHours}: must be a positive number of hours (the dead man's switch)");
        }

        if (options.JobTimeout is { } timeout && timeout <= TimeSpan.Zero)
        {
            throw new InvalidInputException("Timeout", "DispatchOptions.JobTimeout: must be a positive time");
        }

        if (options.RetryLost && !(options.Create && options.Dispatch))
        {
            throw new InvalidInputException("Option", "DispatchOptions.RetryLost creates and dispatches again: it needs DispatchOptions.Create and DispatchOptions.Dispatch");
        }

        if (options.Parallel < 1)
        {
            throw new InvalidInputException("Parallel", $"DispatchOptions.Parallel {options.Parallel}: must be at least 1");
        }

        if (options.HeartbeatInterval < TimeSpan.FromSeconds(1))
        {
            throw new InvalidInputException("Heartbeat", "DispatchOptions.HeartbeatInterval: must be at least one second");
        }
    }

    /// <summary>The nodes' upload URLs must outlive them: by the margin the dispatch gives them.</summary>
    internal static void CheckLifetime(double maxHours, UploadUrlLimit urls)
    {
        var needed = TimeSpan.FromHours(maxHours) + WorkStarter.UrlMargin;
        if (needed <= urls.Validity)
        {
            return;
        }

        var most = Math.Floor((urls.Validity - WorkStarter.UrlMargin).TotalHours);
        var shorter = most >= 1 ? $"give DispatchOptions.MaxHours {most:0} or less" : null;
        var what = (urls.Remedy, shorter) switch
        {
            ({ } remedy, { } hours) => $"{remedy}, or {hours}",
            ({ } remedy, null) => $"{remedy} (no DispatchOptions.MaxHours is short enough for these)",
            (null, { } hours) => hours,
            (null, null) => "no DispatchOptions.MaxHours is short enough",
        };
        throw new InvalidInputException("MaxHours",
            $"DispatchOptions.MaxHours {maxHours}: the nodes' upload URLs must work for {needed.TotalHours:0.#} hours (the nodes' lifetime and " +
            $"{WorkStarter.UrlMargin.TotalHours:0} more), but {urls.Reason}: {what}");
    }

    private static void CheckResultPaths(IReadOnlyList<string> paths)
    {
        if (paths.Count == 0)
        {
            throw new InvalidInputException("Results", "DispatchOptions.ResultPaths: give at least one path (the default is output)");
        }

        foreach (var path in paths)
        {
            var parts = path.Split('/');
            if (path.Length == 0 || path.StartsWith('/') || parts.Contains("..") || path.Any(char.IsControl))
            {
                throw new InvalidInputException("Results", $"DispatchOptions.ResultPaths \"{path}\": must be a path inside the code folder (relative, without ..)");
            }
        }
    }

    private static string CheckInstallScript(string path)
    {
        try
        {
            using var stream = File.OpenRead(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new InvalidInputException("Install", $"{path}: install script not found");
        }
        catch (UnauthorizedAccessException)
        {
            throw new InvalidInputException("Install", $"{path}: install script cannot be read (permission denied)");
        }

        return Path.GetFullPath(path);
    }

    /// <summary>
    /// Counts what the bundle will hold; unless <paramref name="home"/> is null (--code-include-secrets), the first
    /// secret in it stops the plan, named.
    /// </summary>
    private static (int Files, long Bytes) MeasureCode(string folder, long limit, string? home)
    {
        if (File.Exists(folder))
        {
            var parent = Path.GetDirectoryName(folder);
            throw new InvalidInputException("Code",
                $"{folder}: a file, and DispatchOptions.CodeDirectory takes a folder: the one every node gets as ~/code, the jobs' working directory (this file's is DispatchOptions.CodeDirectory {(string.IsNullOrEmpty(parent) ? "." : parent)})");
        }

        if (!Directory.Exists(folder))
        {
            throw new InvalidInputException("Code", $"{folder}: code folder not found");
        }

        var code = new CodeFolder(folder);
        if (home is not null && CodeSecrets.SamePath(code.Path, home))
        {
            throw Secret(code.Path, "the awsrunner home (batch keys)");
        }

        // A home that does not exist yet is made by this dispatch before the bundle is packed: the walk below cannot
        // find it, so where it will be is checked too.
        if (home is not null && !Directory.Exists(home) && code.Selects(home))
        {
            throw Secret(Path.GetFullPath(home), "the awsrunner home (batch keys)");
        }

        int files = 0;
        long bytes = 0;
        try
        {
            foreach (var entry in code.Entries())
            {
                if (home is not null && CodeSecrets.Problem(entry, home) is { } secret)
                {
                    throw Secret(entry.FullName, secret);
                }

                if (entry is not FileInfo file)
                {
                    continue;
                }

                files++;
                bytes += file.Length;
                if (bytes > limit)
                {
                    throw new InvalidInputException("Code",
                        $"{folder}: the code folder holds more than {Bytes(limit)} (DispatchOptions.MaxUploadBytes); leave data out of it or raise DispatchOptions.MaxUploadBytes");
                }
            }
        }
        catch (UnauthorizedAccessException e)
        {
            throw new InvalidInputException("Code", $"{folder}: part of the code folder cannot be read ({e.Message})");
        }

        return (files, bytes);
    }

    private static InvalidInputException Secret(string path, string what) =>
        new("CodeSecret",
            $"{path}: {what} in the code folder, which every node receives; leave it out ({CodeFolder.IgnoreFile} in the code folder, or DispatchOptions.CodeDirectory another folder), or pass DispatchOptions.CodeIncludeSecrets if the jobs need it");

    internal static string Bytes(long bytes) => bytes switch
    {
        >= 1L << 30 => $"{bytes / (double)(1L << 30):0.#} GiB",
        >= 1L << 20 => $"{bytes / (double)(1L << 20):0.#} MiB",
        >= 1L << 10 => $"{bytes / 1024.0:0.#} KiB",
        _ => $"{bytes} bytes",
    };
}
