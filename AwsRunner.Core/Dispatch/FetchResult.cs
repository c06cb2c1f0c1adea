namespace AwsRunner.Core.Dispatch;

/// <summary>What fetch brought home.</summary>
public sealed class FetchResult
{
    /// <summary>Where the jobs' folders are.</summary>
    public required string OutputDirectory { get; init; }

    /// <summary>Every job of the batch.</summary>
    public required IReadOnlyList<FetchedJob> Jobs { get; init; }

    /// <summary>Objects downloaded by this fetch.</summary>
    public int Downloaded { get; init; }

    /// <summary>Objects not downloaded because their content is already here: from an earlier fetch, or unpacked from the job's results archive.</summary>
    public int Skipped { get; init; }

    /// <summary>Bytes downloaded by this fetch.</summary>
    public long Bytes { get; init; }

    /// <summary>Results archives among <see cref="Downloaded"/>: one a job, when the archive brought all the job had.</summary>
    public int ArchivesDownloaded { get; init; }

    /// <summary>Jobs this fetch downloaded something of.</summary>
    public IReadOnlyList<FetchedJob> DownloadedJobs => Jobs.Where(j => j.ObjectsDownloaded > 0).ToList();

    /// <summary>Finished jobs of which an earlier fetch brought everything: this one downloaded nothing of them.</summary>
    public IReadOnlyList<FetchedJob> AlreadyHere => Jobs.Where(j => j.ObjectsDownloaded == 0 && j.Error is null && j.ExitCode is not null).ToList();

    /// <summary>Jobs that exited 0, fetched whole.</summary>
    public IReadOnlyList<FetchedJob> Succeeded => Jobs.Where(j => j.Error is null && j.ExitCode == 0).ToList();

    /// <summary>Jobs that exited non-zero, fetched whole.</summary>
    public IReadOnlyList<FetchedJob> Failed => Jobs.Where(j => j.Error is null && j.ExitCode is not null and not 0).ToList();

    /// <summary>Jobs without a result yet.</summary>
    public IReadOnlyList<FetchedJob> Missing => Jobs.Where(j => j.Error is null && j.ExitCode is null).ToList();

    /// <summary>Jobs whose uploads could not be fetched (see <see cref="FetchedJob.Error"/>); the others were.</summary>
    public IReadOnlyList<FetchedJob> NotFetched => Jobs.Where(j => j.Error is not null).ToList();
}
