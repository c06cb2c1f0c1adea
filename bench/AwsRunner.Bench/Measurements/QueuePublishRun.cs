using System.Diagnostics;
using System.Globalization;
using Amazon.S3;
using Amazon.S3.Model;
using AwsRunner.Bench.Infrastructure;
using AwsRunner.Core.Cloud;
using AwsRunner.Core.Cloud.Aws;
using AwsRunner.Core.Cloud.Ssh;
using AwsRunner.Core.Ledger;
using AwsRunner.Core.Queue;
using Microsoft.Extensions.Logging.Abstractions;

namespace AwsRunner.Bench.Measurements;

/// <summary>
/// The child process of the queue measurement (<c>AwsRunner.Bench --publish-queue ENDPOINT NAME ROWS ATTEMPTS</c>),
/// so that its CPU time and peak memory are the publishing's alone: awsrunner's library makes the bucket, writes the
/// ledger of ROWS rows and publishes their queue as a dispatch does, then prints what it sent, one <c>name=value</c>
/// a line. <c>--sign-speed</c> instead times the signing of URLs, by awsrunner's signer and by AWSSDK.S3's.
/// </summary>
internal static class QueuePublishRun
{
    public const string PublishMode = "--publish-queue";
    public const string SignMode = "--sign-speed";

    private static readonly string[] Types = ["c5.large", "c5.xlarge", "r5.2xlarge"];

    public static async Task<int> PublishAsync(Uri endpoint, string name, int rows, int attempts, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var home = Directory.CreateTempSubdirectory("awsrunner-bench-queue-").FullName;
        try
        {
            var options = new AwsCloudOptions { Region = ToolEnvironment.Region, EndpointUrl = endpoint.ToString() };
            await using var connection = AwsCloudConnection.Open(
                options, SshTransports.Open(new SshOptions(), home, TimeProvider.System, NullLoggerFactory.Instance), home, TimeProvider.System, NullLoggerFactory.Instance);
            var store = connection.Results;
            await store.EnsureBucketAsync(name, cancellationToken);
            var ledger = Ledger(name, rows);
            // As BatchLedger stores it: gzip'd (fastest), under ledger.json.gz.
            var ledgerBytes = Packed(ledger.ToBytes());
            await store.PutAsync(name, ResultKeys.Ledger(name), ledgerBytes, cancellationToken);

            var publishing = Stopwatch.StartNew();
            var queue = await new QueueWriter(store, TimeProvider.System, NullLogger<QueueWriter>.Instance)
                .PublishAsync(name, name, QueueRow.FromLedger(ledger), TimeSpan.FromHours(30), cancellationToken);
            var published = publishing.Elapsed;
            var node = queue.ForNode(new QueueNode("i-0123456789abcdef0", Types[0], Spot: false, Ordinal: 0, Count: 1), new QueueNodeSettings
            {
                Slots = 2, HeartbeatSeconds = 60, Idle = TimeSpan.Zero, RetryOnExit = [], ResultPaths = ["output"], JobTimeout = null,
                UploadGrace = TimeSpan.FromMinutes(30), ResultPartBytes = 5L << 30,
            });
            var lists = queue.Types.Values.Sum(t => t.Lists.Count);
            Print("shards", queue.Shards);
            Print("shard_bytes", queue.ShardBytes);
            Print("ledger_bytes", ledgerBytes.Length);
            Print("urls_signed", ((long)rows * attempts * 6) + queue.Shards + lists);
            Print("lists_first_type", queue.Types[Types[0]].Lists.Count);
            Print("node_env_bytes", System.Text.Encoding.UTF8.GetByteCount(node.WorkEnv + node.QueueEnv));
            Print("publish_seconds", published.TotalSeconds);
            Print("process_seconds", clock.Elapsed.TotalSeconds);
            return 0;
        }
        finally
        {
            Directory.Delete(home, recursive: true);
        }
    }

    /// <summary>Signs <paramref name="count"/> URLs of each kind with awsrunner's signer, and a tenth as many with the SDK's presigner.</summary>
    public static async Task<int> SignSpeedAsync(int count)
    {
        var credentials = new Amazon.Runtime.BasicAWSCredentials("testing", "testing");
        var signer = new S3UrlSigner(new Uri("http://127.0.0.1:5000/sweep1/"), ToolEnvironment.Region, await credentials.GetCredentialsAsync(),
            "123456789012", DateTimeOffset.UtcNow, TimeSpan.FromHours(30));
        // What a session token (SSO, an assumed role: some 800 characters) adds to a URL and to a shard of 1,000 rows.
        var rows = QueueRow.FromLedger(Ledger("sweep1", QueueLayout.ShardRows));
        foreach (var (label, token) in new[] { ("plain", (string?)null), ("token", Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(600))) })
        {
            var withToken = new S3UrlSigner(new Uri("https://sweep1.s3.us-east-1.amazonaws.com/"), ToolEnvironment.Region,
                new Amazon.Runtime.ImmutableCredentials("ASIAEXAMPLEEXAMPLE00", "testing", token), "123456789012", DateTimeOffset.UtcNow, TimeSpan.FromHours(30));
            Print($"url_{label}_bytes", withToken.WriteUrl("sweep1/jobs/0007/attempt-2/status.json").AbsoluteUri.Length);
            Print($"shard_{label}_bytes", ShardArchive.Write("sweep1", rows, withToken, DateTimeOffset.UtcNow).Length);
        }

        Print("signer_put_us", Time(count, i => signer.WriteUrl($"sweep1/jobs/{i:D4}/attempt-2/status.json")));
        Print("signer_claim_us", Time(count, i => signer.ClaimUrl($"sweep1/queue/rows/{i:D4}/2.claim")));
        Print("signer_list_us", Time(count, i => signer.ListUrl("sweep1/queue/rows/", $"sweep1/queue/rows/{i:D4}/")));
        using var s3 = new AmazonS3Client(credentials, new AmazonS3Config { ServiceURL = "http://127.0.0.1:5000/", AuthenticationRegion = ToolEnvironment.Region, ForcePathStyle = true });
        var expires = DateTime.UtcNow.AddHours(30);
        Print("sdk_put_us", Time(count / 10, i =>
        {
            var request = new GetPreSignedUrlRequest
            {
                BucketName = "sweep1", Key = $"sweep1/jobs/{i:D4}/attempt-2/status.json", Verb = HttpVerb.PUT, Expires = expires, Protocol = Protocol.HTTP,
            };
            request.Parameters.Add(S3ResultStore.ExpectedOwnerParameter, "123456789012");
            s3.GetPreSignedURLAsync(request).GetAwaiter().GetResult();
        }));
        return 0;
    }

    /// <summary>Microseconds of this process's CPU a call, after as many calls to warm up.</summary>
    private static double Time(int count, Action<int> call)
    {
        for (var i = 0; i < count; i++)
        {
            call(i);
        }

        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        for (var i = 0; i < count; i++)
        {
            call(i);
        }

        return (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMicroseconds / count;
    }

    private static LedgerDocument Ledger(string name, int rows) => new()
    {
        Name = name,
        Cloud = "aws",
        ImageId = "ami-12345678",
        CreatedAt = DateTimeOffset.UtcNow,
        Settings = new BatchSettings { MaxHours = 24, HeartbeatSeconds = 60, BundleSha256 = new string('0', 64) },
        // The job-file measurement's rows: three types, three variables, every tenth command quoted.
        Rows = Enumerable.Range(0, rows).Select(i => new LedgerRow
        {
            Index = i,
            Line = i + 2,
            InstanceType = Types[i % Types.Length],
            Command = i % 10 == 0 ? "python3 train.py --seed $seed --tag \"run, with a comma\"" : "python3 train.py --seed $seed --lr $learning_rate",
            Variables = new Dictionary<string, string>
            {
                ["seed"] = i.ToString(CultureInfo.InvariantCulture),
                ["learning_rate"] = (0.001 * (1 + (i % 7))).ToString("0.000", CultureInfo.InvariantCulture),
                ["dataset"] = $"imagenet-{i % 13}",
            },
            FirstAttempt = 1,
            LastAttempt = 3,
        }).ToList(),
    };

    private static byte[] Packed(byte[] json)
    {
        using var packed = new MemoryStream();
        using (var gzip = new System.IO.Compression.GZipStream(packed, System.IO.Compression.CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(json);
        }

        return packed.ToArray();
    }

    private static void Print(string name, double value) => Console.WriteLine($"{name}={value.ToString(CultureInfo.InvariantCulture)}");
}
