namespace AwsRunner.Core.Cloud.Local;

/// <summary>What a local node's <c>instance.json</c> records at launch.</summary>
internal sealed record LocalInstanceRecord(string Id, string Batch, int Index, string InstanceType, string ImageId, DateTimeOffset Launched);
