using AwsRunner.Core.Dispatch;

namespace AwsRunner.Cli.Rendering;

/// <summary>The first line of fetch's report: what it downloaded, counted in jobs, and what an earlier fetch had brought.</summary>
internal static class FetchSummary
{
    public static string Line(string batch, FetchResult result)
    {
        var downloaded = result.DownloadedJobs.Count;
        var here = result.AlreadyHere.Count;
        var what = downloaded == 0
            ? here == 0 ? "nothing downloaded" : $"{Jobs(here)} already here"
            : $"{Jobs(downloaded)} downloaded ({Objects(result, downloaded)}, {Formats.Bytes(result.Bytes)})" + (here == 0 ? "" : $", {here} already here");
        return $"Fetched batch {batch} into {result.OutputDirectory}: {what}.";
    }

    private static string Jobs(int count) => count == 1 ? "1 job" : $"{count} jobs";

    // On S3 a job's archive carries its log and status too, so one download a job is the usual case, and worth saying.
    private static string Objects(FetchResult result, int jobs) =>
        result.ArchivesDownloaded == jobs && result.Downloaded == jobs
            ? jobs == 1 ? "one archive" : "one archive each"
            : result.Downloaded == 1 ? "1 object" : $"{result.Downloaded} objects";
}
