using System.Globalization;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using AwsRunner.Core.Cloud.Aws;
using AwsRunner.Core.Node;
using AwsRunner.Tests.Support;

namespace AwsRunner.Tests.Node;

/// <summary>
/// A bucket of its own on the shared moto_server, and the presigned URLs a node's queue is made of, signed as the
/// laptop signs them (a claim's If-None-Match and Content-Type among the signed headers). Moto checks no signature:
/// this is for what the node sends and how it reads S3's answers, over real HTTP on 127.0.0.1.
/// </summary>
internal sealed class MotoQueueBucket : IDisposable
{
    private const string Region = "us-east-1";

    private MotoQueueBucket(AmazonS3Client s3, string name)
    {
        S3 = s3;
        Name = name;
    }

    public AmazonS3Client S3 { get; }

    public string Name { get; }

    public static async Task<MotoQueueBucket> CreateAsync()
    {
        var moto = await MotoServer.RequireAsync();
        var s3 = SdkClients.S3(new AwsSession(Region, new BasicAWSCredentials("testing", "testing"), moto.Url));
        var name = "queue-" + Guid.NewGuid().ToString("N")[..12];
        await s3.PutBucketAsync(name);
        return new MotoQueueBucket(s3, name);
    }

    /// <summary>A presigned PUT of a key; for a claim, with the two headers the node must send signed into it.</summary>
    public string Put(string key, bool claim = false)
    {
        var request = Request(key, HttpVerb.PUT);
        if (claim)
        {
            request.Headers["If-None-Match"] = "*";
            request.ContentType = "application/octet-stream";
        }

        return S3.GetPreSignedURL(request);
    }

    public string Get(string key) => S3.GetPreSignedURL(Request(key, HttpVerb.GET));

    /// <summary>A presigned ListObjectsV2 of the prefix, one page of up to 1000 keys.</summary>
    public string List(string prefix)
    {
        var request = Request(null, HttpVerb.GET);
        request.Parameters.Add("list-type", "2");
        request.Parameters.Add("prefix", prefix);
        request.Parameters.Add("max-keys", "1000");
        return S3.GetPreSignedURL(request);
    }

    /// <summary>Writes the node's work over HTTP: its type's shard uploaded and fetched by presigned GET, the LIST page, the part URLs.</summary>
    public async Task WriteQueueAsync(RunnerNode node, IReadOnlyList<QueueRow> rows, Action<NodeEnvFile>? settings = null, int parts = 4)
    {
        var shardKey = $"{RunnerNode.Batch}/queue/{RunnerNode.Type}/shard-00000.tar.gz";
        using var shard = new MemoryStream(RunnerNode.Shard(rows, (key, _) => Put(key, claim: key.EndsWith(".claim", StringComparison.Ordinal))));
        await S3.PutObjectAsync(new PutObjectRequest { BucketName = Name, Key = shardKey, InputStream = shard });
        File.WriteAllText(Path.Combine(node.Runner, NodeRunnerScript.WorkEnvFile), node.WorkEnv(settings));
        var queue = new NodeEnvFile()
            .Set("AWSRUNNER_SHARDS", "1").Set("AWSRUNNER_SHARD_1", Get(shardKey))
            .Set("AWSRUNNER_LISTS", "1").Set("AWSRUNNER_LIST_1", List($"{RunnerNode.Batch}/queue/rows/"))
            .Set("AWSRUNNER_PARTS", parts.ToString(CultureInfo.InvariantCulture));
        for (var part = 1; part <= parts; part++)
        {
            queue.Set($"AWSRUNNER_URL_PART_{part}", Put($"{RunnerNode.Batch}/parts/{node.Id}/{part:D5}"));
        }

        File.WriteAllText(Path.Combine(node.Runner, NodeRunnerScript.QueueEnvFile), queue.ToString());
    }

    /// <summary>An object's text, or null when there is none.</summary>
    public async Task<string?> ReadAsync(string key)
    {
        try
        {
            using var response = await S3.GetObjectAsync(Name, key);
            using var reader = new StreamReader(response.ResponseStream);
            return await reader.ReadToEndAsync();
        }
        catch (AmazonS3Exception e) when (e.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    public async Task WriteAsync(string key, string text) =>
        await S3.PutObjectAsync(new PutObjectRequest { BucketName = Name, Key = key, ContentBody = text });

    /// <summary>The keys under a prefix.</summary>
    public async Task<IReadOnlyList<string>> KeysAsync(string prefix) =>
        (await S3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = Name, Prefix = prefix })).S3Objects?.Select(o => o.Key).ToList() ?? [];

    public void Dispose() => S3.Dispose();

    private GetPreSignedUrlRequest Request(string? key, HttpVerb verb) => new()
    {
        BucketName = Name,
        Key = key,
        Verb = verb,
        Expires = DateTime.UtcNow.AddHours(1),
        Protocol = Protocol.HTTP,
    };
}
