namespace AwsRunner.Bench.Infrastructure;

/// <summary>
/// The environment of the suite and of every process it starts: dummy credentials, one region, none of the user's AWS
/// configuration, no instance metadata lookups and no HTTP proxy. Every endpoint is given explicitly and is 127.0.0.1.
/// </summary>
internal sealed class ToolEnvironment
{
    public const string Region = "us-east-1";

    private static readonly string[] Removed =
    [
        "AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL_EC2",
        "AWS_CA_BUNDLE", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy",
    ];

    private readonly Dictionary<string, string?> variables;

    public ToolEnvironment(WorkFolder work)
    {
        var aws = work.Fresh("aws-config");
        var config = Path.Combine(aws, "config");
        var credentials = Path.Combine(aws, "credentials");
        File.WriteAllText(config, "");
        File.WriteAllText(credentials, "");
        variables = Removed.ToDictionary(name => name, _ => (string?)null, StringComparer.Ordinal);
        variables["AWS_ACCESS_KEY_ID"] = "testing";
        variables["AWS_SECRET_ACCESS_KEY"] = "testing";
        variables["AWS_DEFAULT_REGION"] = Region;
        variables["AWS_REGION"] = Region;
        variables["AWS_CONFIG_FILE"] = config;
        variables["AWS_SHARED_CREDENTIALS_FILE"] = credentials;
        variables["AWS_EC2_METADATA_DISABLED"] = "true";
        variables["AWS_PAGER"] = "";
        variables["NO_PROXY"] = "127.0.0.1,localhost";
        variables["no_proxy"] = "127.0.0.1,localhost";
        variables["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        variables["DOTNET_NOLOGO"] = "1";
    }

    /// <summary>Values to set; null removes the variable.</summary>
    public IReadOnlyDictionary<string, string?> Variables => variables;

    /// <summary>The suite itself calls AWS through awsrunner's library, which reads the same variables.</summary>
    public void ApplyToThisProcess()
    {
        foreach (var (name, value) in variables)
        {
            Environment.SetEnvironmentVariable(name, value);
        }
    }
}
