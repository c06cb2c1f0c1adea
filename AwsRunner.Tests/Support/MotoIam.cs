using System.Text.Json;

namespace AwsRunner.Tests.Support;

/// <summary>
/// IAM on a moto_server, for the few tests that need a user, a policy or an instance profile there. awsrunner itself
/// never calls IAM and this registry serves no AWSSDK.IdentityManagement, so the calls go through boto3, which
/// moto_server is installed with.
/// </summary>
internal static class MotoIam
{
    private const string Script = """
        import boto3, json, sys
        iam = boto3.client("iam", endpoint_url=sys.argv[1], region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="testing")
        print(json.dumps(getattr(iam, sys.argv[2])(**json.loads(sys.argv[3])), default=str))
        """;

    /// <summary>One IAM operation, named as boto3 names it (<c>create_user</c>), with its parameters; its answer.</summary>
    public static async Task<JsonElement> CallAsync(Uri endpoint, string operation, object parameters)
    {
        var run = await DotnetCommand.RunFileAsync("python3", Path.GetTempPath(), null, "-c", Script, endpoint.ToString(), operation, JsonSerializer.Serialize(parameters));
        if (run.ExitCode != 0)
        {
            throw new InvalidOperationException($"IAM {operation} on moto failed: {run.Error}");
        }

        return JsonDocument.Parse(run.Output).RootElement;
    }
}
