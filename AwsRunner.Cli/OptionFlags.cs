using System.Text.RegularExpressions;

namespace AwsRunner.Cli;

/// <summary>
/// The library's messages name its options (<c>DispatchOptions.MaxHours</c>); a user of the command line gave flags
/// (<c>--max-hours</c>). Every text of the library the command line prints (an error, its hint, a node's detail, why a
/// job was not fetched or merged) goes through <see cref="Apply"/>.
/// </summary>
internal static class OptionFlags
{
    /// <summary>Each option the library names, with the flag that sets it.</summary>
    public static readonly IReadOnlyDictionary<string, string> Flags = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["DispatchOptions.Create"] = "--create",
        ["DispatchOptions.Dispatch"] = "--dispatch",
        ["DispatchOptions.RetryLost"] = "--retry-lost",
        ["DispatchOptions.CodeDirectory"] = "--code",
        ["DispatchOptions.CodeIncludeSecrets"] = "--code-include-secrets",
        ["DispatchOptions.ResultPaths"] = "--results",
        ["DispatchOptions.MaxHours"] = "--max-hours",
        ["DispatchOptions.Bucket"] = "--bucket",
        ["DispatchOptions.JobTimeout"] = "--timeout",
        ["DispatchOptions.Parallel"] = "--nodes-at-once",
        ["DispatchOptions.HeartbeatInterval"] = "--heartbeat",
        ["DispatchOptions.ResultPartSize"] = "--result-part-size",
        ["DispatchOptions.MaxUploadBytes"] = "--max-upload",
        ["DispatchOptions.Secrets"] = "--secret",
        ["DispatchOptions.MaxRetries"] = "--max-retries",
        ["DispatchOptions.SpotFallbackAfter"] = "--spot-fallback-after",
        ["DispatchOptions.RetryOnExit"] = "--retry-on-exit",
        ["DispatchOptions.Slots"] = "--slots",
        ["DispatchOptions.MaxInstances"] = "--max-instances",
        ["DispatchOptions.MaxInstancesByType"] = "--max-instances",
        ["FetchOptions.MaxResultBytes"] = "--max-result-size",
        ["Batch.Merge's source"] = "--merge-source",
        ["AwsCloudOptions.Region"] = "--region",
        ["AwsCloudOptions.Profile"] = "--profile",
        ["AwsCloudOptions.EndpointUrl"] = "--endpoint-url",
        ["AwsCloudOptions.KeyFile"] = "--key-file",
        ["AwsCloudOptions.SshCidr"] = "--ssh-cidr",
        ["AwsCloudOptions.SubnetId"] = "--subnet",
        ["SshOptions.User"] = "--ssh-user",
        ["SshOptions.ConfigFile"] = "--ssh-config",
        ["SshOptions.Proxy"] = "--ssh-proxy",
        ["SshOptions.BootTimeout"] = "--boot-timeout",
    };

    // A name is replaced whole: DispatchOptions.MaxInstances is no part of DispatchOptions.MaxInstancesByType.
    private static readonly Regex Names = new(
        string.Join("|", Flags.Keys.OrderByDescending(k => k.Length).Select(Regex.Escape)) + "(?![A-Za-z])", RegexOptions.CultureInvariant);

    /// <summary>The text with every option it names replaced by its flag.</summary>
    public static string Apply(string text) => Names.Replace(text, m => Flags[m.Value]);

    /// <summary>The text with every option it names replaced by its flag; null for null.</summary>
    public static string? ApplyOrNull(string? text) => text is null ? null : Apply(text);
}
