using System.Formats.Tar;
using System.IO.Compression;
using AwsRunner.Core.Cloud;
using AwsRunner.Core.Dispatch;
using AwsRunner.Tests.Support;

namespace AwsRunner.Tests.Dispatch;

public sealed class CodeBundleTests
{
    private TempFolder folder = null!;

    [SetUp]
    public void SetUp()
    {
        folder = new TempFolder();
        folder.Write("code/jobs.csv", "instance_type,command\nt3.micro,true\n");
        folder.Write("code/run.sh", "true\n");
        folder.Write("code/.ssh/id_rsa", "-----BEGIN OPENSSH PRIVATE KEY-----\n");
        folder.Write("code/data/huge.bin", "data");
        folder.Write("code/.awsrunnerignore", ".ssh/\ndata/\n");
    }

    [TearDown]
    public void TearDown() => folder.Dispose();

    [Test]
    public async Task Build_Bytes_SayNothingOfTheProcessThatBuiltThem()
    {
        using var bundle = await CodeBundle.BuildAsync(Plan(), CancellationToken.None);
        using var gzip = new System.IO.Compression.GZipStream(File.OpenRead(bundle.Path), System.IO.Compression.CompressionMode.Decompress);
        using var tar = new MemoryStream();
        await gzip.CopyToAsync(tar);

        // A PAX header named PaxHeaders.PID gave every process another SHA-256 for the same code.
        Assert.That(System.Text.Encoding.Latin1.GetString(tar.ToArray()), Does.Not.Contain($".{Environment.ProcessId}/"));
    }

    [Test]
    public async Task Build_TemporaryFile_IsTheOwnersOnly()
    {
        using var bundle = await CodeBundle.BuildAsync(Plan(), CancellationToken.None);

        Assert.That(File.GetUnixFileMode(bundle.Path), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite));
    }

    [Test]
    public async Task Build_WhatAwsrunnerignoreLists_IsNotInTheBundle()
    {
        using var bundle = await CodeBundle.BuildAsync(Plan(), CancellationToken.None);

        var names = new List<string>();
        await using (var gzip = new GZipStream(File.OpenRead(bundle.Path), CompressionMode.Decompress))
        await using (var tar = new TarReader(gzip))
        {
            while (await tar.GetNextEntryAsync() is { } entry)
            {
                names.Add(entry.Name);
            }
        }

        Assert.That(names.Where(n => n.StartsWith("code/", StringComparison.Ordinal)), Is.EquivalentTo(new[] { "code/.awsrunnerignore", "code/jobs.csv", "code/run.sh" }));
    }

    [Test]
    public async Task Build_SameCodeWithOtherFileTimes_GivesTheSameBytes()
    {
        using var first = await CodeBundle.BuildAsync(Plan(), CancellationToken.None);
        File.SetLastWriteTimeUtc(folder.Combine("code", "run.sh"), new DateTime(2001, 2, 3, 4, 5, 6, DateTimeKind.Utc));
        using var second = await CodeBundle.BuildAsync(Plan(), CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(second.Sha256, Is.EqualTo(first.Sha256).And.Match("^[0-9a-f]{64}$"));
            Assert.That(File.ReadAllBytes(second.Path), Is.EqualTo(File.ReadAllBytes(first.Path)));
        });
    }

    [Test]
    public async Task Build_CodeWithSubfoldersAndALink_HoldsEachAsItIs()
    {
        folder.Write("code/inputs/part00/a.txt", "a\n");
        File.CreateSymbolicLink(folder.Combine("code", "latest"), "inputs/part00");

        using var bundle = await CodeBundle.BuildAsync(Plan(), CancellationToken.None);

        var entries = new Dictionary<string, TarEntryType>();
        await using (var gzip = new GZipStream(File.OpenRead(bundle.Path), CompressionMode.Decompress))
        await using (var tar = new TarReader(gzip))
        {
            while (await tar.GetNextEntryAsync() is { } entry)
            {
                entries[entry.Name.TrimEnd('/')] = entry.EntryType;
            }
        }

        Assert.That(entries, Does.ContainKey("code/inputs").WithValue(TarEntryType.Directory));
        Assert.That(entries, Does.ContainKey("code/inputs/part00").WithValue(TarEntryType.Directory));
        Assert.That(entries, Does.ContainKey("code/inputs/part00/a.txt").WithValue(TarEntryType.RegularFile));
        Assert.That(entries, Does.ContainKey("code/latest").WithValue(TarEntryType.SymbolicLink));
    }

    private BatchPlan Plan() => BatchPlanner.Plan(
        new DispatchOptions { ImageId = "local", Name = "bundle", JobFile = folder.Combine("code", "jobs.csv") },
        "local",
        UploadUrlLimit.None,
        folder.Combine("home"),
        bucket => bucket + "/");
}
