using System.Formats.Tar;
using System.IO.Compression;
using System.Text;
using Amazon.S3.Model;
using AwsRunner.Tests.Support;

namespace AwsRunner.Tests.Sim;

/// <summary>
/// <c>--secret</c> on the shared fleet, through the real command: the value reaches every job and is found nowhere
/// else, not in what awsrunner printed (<c>--verbose</c>), its home, the bucket, or the nodes' runner folders.
/// </summary>
[TestFixture]
[Parallelizable(ParallelScope.Children)]
[FixtureLifeCycle(LifeCycle.InstancePerTestCase)]
public sealed class FleetSecretTests
{
    private static readonly TimeSpan JobsTimeout = TimeSpan.FromSeconds(90);

    private static SimulatedFleet? fleet;

    private FleetBatch? batch;

    private static SimulatedFleet Fleet => fleet ?? throw new InvalidOperationException("no fleet");

    [OneTimeSetUp]
    public static async Task StartFleetAsync() => fleet = await SharedFleet.GetAsync();

    [TearDown]
    public async Task NothingOfTheBatchIsLeftAsync()
    {
        if (batch is not null)
        {
            await batch.EndAsync();
        }
    }

    [Test]
    public async Task Dispatch_Secrets_ReachEveryJobAndAreFoundOnlyWhereTheJobWroteThem()
    {
        // Distinct from every other test's, so that finding them can only mean they leaked.
        var fromEnvironment = "env-secret-" + Guid.NewGuid().ToString("N");
        var fromFile = "file-secret-" + Guid.NewGuid().ToString("N");
        batch = new FleetBatch(Fleet, "fleet-secret");
        batch.Cli.Environment["API_TOKEN"] = fromEnvironment;
        var secretFile = batch.Write("db-password.txt", fromFile + "\n");
        batch.Write("code/job.sh", "mkdir -p output && printf '%s %s' \"$API_TOKEN\" \"$DB_PASSWORD\" > output/seen.txt\n");
        batch.Write("code/jobs.csv", "instance_type,command\nt3.micro,bash job.sh\nc5.large,bash job.sh\n");

        var dispatch = await batch.DispatchAsync("--wait", "--verbose", "--secret", "API_TOKEN", "--secret", "DB_PASSWORD=" + secretFile);
        var status = await batch.RunAsync("status", batch.Name, "--verbose");
        var fetch = await batch.RunAsync("fetch", batch.Name, batch.Output, "--verbose");
        var instances = (await batch.InstancesAsync()).Select(i => i.InstanceId).ToList();
        await batch.WaitTerminatedAsync(JobsTimeout);

        Assert.That(dispatch.ExitCode, Is.Zero, dispatch.ToString());
        Assert.That(fetch.ExitCode, Is.Zero, fetch.ToString());
        foreach (var job in new[] { "0000", "0001" })
        {
            Assert.That(File.ReadAllText(Path.Combine(batch.Output, job, "output", "seen.txt")), Is.EqualTo($"{fromEnvironment} {fromFile}"), job);
        }

        var places = new List<(string Where, string Text)>
        {
            ("dispatch's output", dispatch.ToString()),
            ("status's output", status.ToString()),
            ("fetch's output", fetch.ToString()),
        };
        places.AddRange(FilesUnder(batch.Cli.Home));
        places.AddRange(instances.SelectMany(i => FilesUnder(Path.Combine(Fleet.NodeHome(i), "awsrunner"))));
        places.AddRange(await BucketAsync(batch.Name));
        var leaks = places.Where(p => p.Text.Contains(fromEnvironment, StringComparison.Ordinal) || p.Text.Contains(fromFile, StringComparison.Ordinal))
            .Select(p => p.Where).ToList();

        Assert.That(places.Count(p => p.Where.EndsWith("!output/seen.txt", StringComparison.Ordinal)), Is.EqualTo(4), "each job's archive was looked into, in the bucket and on its node");
        Assert.That(leaks.Where(w => !w.EndsWith("!output/seen.txt", StringComparison.Ordinal)), Is.Empty, "the secrets were found here");
    }

    /// <summary>Every file under a folder, but the private key awsrunner keeps in its home on purpose; archives looked into.</summary>
    private static IEnumerable<(string, string)> FilesUnder(string folder) =>
        Directory.Exists(folder)
            ? Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
                .Where(f => Path.GetFileName(f) != "key.pem")
                .SelectMany(f => Contents(f, File.ReadAllBytes(f)))
            : [];

    private static async Task<IEnumerable<(string, string)>> BucketAsync(string bucket)
    {
        var found = new List<(string, string)>();
        var listing = await Fleet.S3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket });
        foreach (var item in listing.S3Objects ?? [])
        {
            using var response = await Fleet.S3.GetObjectAsync(bucket, item.Key);
            using var bytes = new MemoryStream();
            await response.ResponseStream.CopyToAsync(bytes);
            found.AddRange(Contents("s3://" + bucket + "/" + item.Key, bytes.ToArray()));
        }

        return found;
    }

    /// <summary>A file's text, or, for a .tar.gz, the text of each entry, named ARCHIVE!ENTRY.</summary>
    private static List<(string, string)> Contents(string name, byte[] bytes)
    {
        if (!name.EndsWith(".tar.gz", StringComparison.Ordinal))
        {
            return [(name, Encoding.UTF8.GetString(bytes))];
        }

        var entries = new List<(string, string)>();
        using var gzip = new GZipStream(new MemoryStream(bytes), CompressionMode.Decompress);
        using var tar = new TarReader(gzip);
        while (tar.GetNextEntry() is { } entry)
        {
            if (entry.DataStream is { } data)
            {
                using var reader = new StreamReader(data);
                entries.Add((name + "!" + entry.Name, reader.ReadToEnd()));
            }
        }

        return entries;
    }
}
