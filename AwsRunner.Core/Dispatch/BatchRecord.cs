using System.Diagnostics.CodeAnalysis;
using System.Text.Json.Serialization;
using AwsRunner.Core.Cloud;
using AwsRunner.Core.Cloud.Ssh;

namespace AwsRunner.Core.Dispatch;

/// <summary>
/// What this machine remembers of a batch (<c>$AWSRUNNER_HOME/NAME/batch.json</c>), so that status, fetch and
/// down find its cloud, bucket and transport from a new process.
/// </summary>
public sealed class BatchRecord
{
    /// <summary>Creates an empty record, to be filled with an object initializer.</summary>
    public BatchRecord()
    {
    }

    /// <summary>
    /// A record of each field, as a dispatch saves it and as <c>batch.json</c> reads back: a field the file lacks is
    /// null here, for <see cref="BatchRecords"/> to find.
    /// </summary>
    [JsonConstructor]
    [SetsRequiredMembers]
    internal BatchRecord(string name, string cloud, string bucket, string? region = null, string? endpointUrl = null, ShellTransport? transport = null)
    {
        Name = name;
        Cloud = cloud;
        Bucket = bucket;
        Region = region;
        EndpointUrl = endpointUrl;
        Transport = transport;
    }

    /// <summary>The batch's NAME.</summary>
    public required string Name { get; init; }

    /// <summary>The cloud it was created on (<c>local</c> or <c>aws</c>).</summary>
    public required string Cloud { get; init; }

    /// <summary>Its bucket.</summary>
    public required string Bucket { get; init; }

    /// <summary>Its region, on AWS.</summary>
    public string? Region { get; init; }

    /// <summary>The endpoint it was created through, when not AWS's own.</summary>
    public string? EndpointUrl { get; init; }

    /// <summary>
    /// How its nodes were reached over SSH, so that later commands reach them the same way; null when they were not
    /// reached over SSH (the local cloud).
    /// </summary>
    [JsonIgnore]
    public SshOptions? Ssh => SshTransports.Remembered(Transport);

    /// <summary>How its nodes were reached, as the node shells described it.</summary>
    [JsonInclude]
    internal ShellTransport? Transport { get; init; }
}
