namespace AwsRunner.Core.Dispatch;

/// <summary>What fetch brought home.</summary>
/// <param name="OutputDirectory">Where the jobs' folders are.</param>
/// <param name="Jobs">Every job of the batch.</param>
/// <param name="Downloaded">Objects downloaded by this fetch.</param>
/// <param name="Skipped">Objects not downloaded because their content is already here: from an earlier fetch, or unpacked from the job's results archive.</param>
/// <param name="Bytes">Bytes downloaded by this fetch.</param>
public sealed record FetchResult(string OutputDirectory, IReadOnlyList<FetchedJob> Jobs, int Downloaded, int Skipped, long Bytes)
{
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
