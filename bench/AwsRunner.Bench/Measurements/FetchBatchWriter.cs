using System.Formats.Tar;
using System.IO.Compression;
using System.Text;
using AwsRunner.Bench.Infrastructure;
using AwsRunner.Core.Cloud;
using AwsRunner.Core.Cloud.Aws;
using AwsRunner.Core.Cloud.Ssh;
using AwsRunner.Core.Dispatch;
using AwsRunner.Core.Jobs;
using AwsRunner.Core.Ledger;
using Microsoft.Extensions.Logging.Abstractions;

namespace AwsRunner.Bench.Measurements;

/// <summary>
/// Writes a finished batch into moto's S3 with awsrunner's own result store, object for object as the node runner
/// leaves it: per job heartbeat.json, job.log, status.json and results.tar.gz (holding job.log, status.json and the
/// job's output folder), and the ledger. Large results are random bytes, which no compression shrinks.
/// </summary>
internal static class FetchBatchWriter
{
    private static readonly DateTimeOffset Started = new(2026, 1, 5, 9, 0, 0, TimeSpan.Zero);

    public static async Task<FetchBatch> WriteAsync(BenchContext context, string name, int smallJobs, int largeJobs, long largeBytes, CancellationToken cancellationToken)
    {
        var home = context.Work.Fresh("fetch", "writer-home");
        var options = new AwsCloudOptions { Region = ToolEnvironment.Region, EndpointUrl = context.Moto.Url.ToString() };
        await using var connection = AwsCloudConnection.Open(
            options, SshTransports.Open(new SshOptions(), home, TimeProvider.System, NullLoggerFactory.Instance), home, TimeProvider.System, NullLoggerFactory.Instance);
        var store = connection.Results;
        await store.EnsureBucketAsync(name, cancellationToken);
        var jobs = smallJobs + largeJobs;
        long bytes = 0;
        await Parallel.ForEachAsync(Enumerable.Range(0, jobs), new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = cancellationToken }, async (index, token) =>
        {
            var objects = await JobObjectsAsync(index, index >= smallJobs ? largeBytes : 0, token);
            foreach (var (file, content) in objects)
            {
                await store.PutAsync(name, ResultKeys.Job(name, index) + file, content, token);
                Interlocked.Add(ref bytes, content.Length);
            }
        });

        var manifest = Manifest(name, jobs);
        await store.PutAsync(name, ResultKeys.Ledger(name), manifest.ToBytes(), cancellationToken);
        return new FetchBatch(name, jobs, largeJobs, largeBytes, (jobs * 4) + 1, bytes + manifest.ToBytes().Length);
    }

    private static async Task<List<(string File, byte[] Content)>> JobObjectsAsync(int index, long largeBytes, CancellationToken cancellationToken)
    {
        var log = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Range(0, 8).Select(step => $"job {index}: step {step} of 8 done\n")));
        var status = Encoding.UTF8.GetBytes(
            $"{{\"index\":{index},\"job\":\"\",\"exit_code\":0,\"started\":\"{Started:yyyy-MM-ddTHH:mm:ssZ}\",\"finished\":\"{Started.AddMinutes(3):yyyy-MM-ddTHH:mm:ssZ}\",\"host\":\"ip-10-0-{index / 256}-{index % 256}\"}}\n");
        var heartbeat = Encoding.UTF8.GetBytes(
            $"{{\"time\":\"{Started.AddMinutes(3):yyyy-MM-ddTHH:mm:ssZ}\",\"state\":\"done\",\"index\":{index},\"started\":\"{Started:yyyy-MM-ddTHH:mm:ssZ}\",\"progress\":\"\"}}\n");
        var files = new List<(string Name, byte[] Content)>
        {
            ("job.log", log),
            ("status.json", status),
            ("output/result.csv", Encoding.UTF8.GetBytes($"seed,value\n{index},{index * index}\n")),
        };
        if (largeBytes > 0)
        {
            var large = new byte[largeBytes];
            new Random(index).NextBytes(large);
            files.Add(("output/model.bin", large));
        }

        return [("heartbeat.json", heartbeat), ("job.log", log), ("results.tar.gz", await ArchiveAsync(files, cancellationToken)), ("status.json", status)];
    }

    private static async Task<byte[]> ArchiveAsync(IEnumerable<(string Name, byte[] Content)> files, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        await using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true))
        {
            await using var tar = new TarWriter(gzip, TarEntryFormat.Gnu);
            foreach (var (name, content) in files)
            {
                using var data = new MemoryStream(content);
                await tar.WriteEntryAsync(new GnuTarEntry(TarEntryType.RegularFile, name) { DataStream = data, ModificationTime = Started }, cancellationToken);
            }
        }

        return buffer.ToArray();
    }

    private static LedgerDocument Manifest(string name, int jobs)
    {
        var rows = string.Concat(Enumerable.Range(0, jobs).Select(index => $"c5.large,python3 train.py --seed $seed,{index}\n"));
        var plan = new BatchPlan
        {
            Name = name,
            ImageId = "ami-760aaa0f",
            Bucket = name,
            Cloud = "aws",
            ResultsLocation = $"s3://{name}/{name}/",
            Jobs = JobFile.Parse(new StringReader("instance_type,command,seed\n" + rows), "jobs.csv"),
            CodeDirectory = "/code",
            Options = new DispatchOptions { ImageId = "ami-760aaa0f", Name = name, JobFile = "jobs.csv" },
        };
        var document = LedgerDocument.Create(plan, "aws", new BatchSettings { MaxHours = 24, HeartbeatSeconds = 60, BundleSha256 = new string('0', 64) }, Started);
        return document with
        {
            Rows = document.Rows.Select(r => r with { LastAttempt = 1 }).ToList(),
            Seats = document.Rows.Select(r => new LedgerSeat { Row = r.Index, InstanceType = "c5.large", Node = $"i-{r.Index:x17}" }).ToList(),
            Nodes = document.Rows.Select(r => new LedgerNode { Id = $"i-{r.Index:x17}", InstanceType = "c5.large", Seat = r.Index, LaunchedAt = Started, Install = "ready" }).ToList(),
        };
    }
}
