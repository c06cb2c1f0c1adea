namespace AwsRunner.Bench.Infrastructure;

/// <summary>
/// Everything the suite creates lives here and goes with it. A RAM-backed folder when the machine has one with room:
/// the comparisons are about the tools, and disk write-back on a shared virtual disk only adds noise to them. A
/// measurement where the disk is part of what a user pays (the local cloud's files) asks for a folder on disk too.
/// </summary>
internal sealed class WorkFolder : IDisposable
{
    private const long RoomInMemory = 6L << 30;

    private string? onDisk;

    private WorkFolder(string path, bool inMemory)
    {
        Path = path;
        InMemory = inMemory;
    }

    public string Path { get; }

    public bool InMemory { get; }

    public static WorkFolder Create()
    {
        var inMemory = Directory.Exists("/dev/shm") && new DriveInfo("/dev/shm").AvailableFreeSpace > RoomInMemory;
        var parent = inMemory ? "/dev/shm" : System.IO.Path.GetTempPath();
        var path = System.IO.Path.Combine(parent, "awsrunner-bench-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(path);
        return new WorkFolder(path, inMemory);
    }

    /// <summary>A folder under the work folder, created empty (emptied if it was there).</summary>
    public string Fresh(params string[] parts) => Empty(System.IO.Path.Combine([Path, .. parts]));

    /// <summary>A folder on the machine's disk (the temp folder's), created empty, gone with the work folder.</summary>
    public string FreshOnDisk(params string[] parts)
    {
        onDisk ??= Directory.CreateTempSubdirectory("awsrunner-bench-disk-").FullName;
        return Empty(System.IO.Path.Combine([onDisk, .. parts]));
    }

    public void Dispose()
    {
        Directory.Delete(Path, recursive: true);
        if (onDisk is not null)
        {
            Directory.Delete(onDisk, recursive: true);
        }
    }

    private static string Empty(string path)
    {
        if (Directory.Exists(path))
        {
            Directory.Delete(path, recursive: true);
        }

        Directory.CreateDirectory(path);
        return path;
    }
}
