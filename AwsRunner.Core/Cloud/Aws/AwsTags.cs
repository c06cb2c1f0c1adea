using AwsRunner.Core.Cloud.Aws.Ec2;

namespace AwsRunner.Core.Cloud.Aws;

/// <summary>The tags that mark what awsrunner created; <c>status</c> with no NAME finds forgotten batches by them.</summary>
internal static class AwsTags
{
    public const string Batch = "awsrunner:batch";

    /// <summary>On an instance launched on demand because spot was refused: the code EC2 refused spot with.</summary>
    public const string SpotRefused = "awsrunner:spot-refused";

    /// <summary>On a key pair imported from --key-file: the SHA-256 of the public key, so that a re-run can tell the same key file from another.</summary>
    public const string PublicKey = "awsrunner:public-key";

    public static IReadOnlyList<Ec2Tag> Of(string batch) => [new(Batch, batch)];

    public static Ec2Filter Filter(string batch) => new("tag:" + Batch, batch);

    public static bool IsOf(IReadOnlyDictionary<string, string> tags, string batch) =>
        tags.TryGetValue(Batch, out var value) && value == batch;
}
