using System.Text.RegularExpressions;
using Amazon.Runtime;
using Amazon.Runtime.CredentialManagement;
using Amazon.Runtime.Credentials;

namespace AwsRunner.Core.Cloud.Aws;

/// <summary>
/// Settles the region, credentials and endpoint the way the AWS CLI does: <c>--region</c>, else the <c>--profile</c>'s
/// region, else <c>AWS_REGION</c> / <c>AWS_DEFAULT_REGION</c>, else the default (or <c>AWS_PROFILE</c>) profile's region;
/// credentials from the profile or the SDK's default chain. Profiles are read by the SDK's own profile store.
/// </summary>
internal sealed partial class AwsSessionResolver(Func<string, string?> environment, CredentialProfileStoreChain profiles)
{
    public static AwsSessionResolver Default { get; } = new(Environment.GetEnvironmentVariable, new CredentialProfileStoreChain());

    public AwsSession Resolve(AwsCloudOptions options) =>
        new(ResolveRegion(options), ResolveCredentials(options.Profile), ResolveEndpoint(options.EndpointUrl));

    public string ResolveRegion(AwsCloudOptions options)
    {
        var region = options.Region
            ?? (options.Profile is null ? null : ProfileRegion(options.Profile))
            ?? NonEmpty(environment("AWS_REGION"))
            ?? NonEmpty(environment("AWS_DEFAULT_REGION"))
            ?? (options.Profile is null ? ProfileRegion(NonEmpty(environment("AWS_PROFILE")) ?? "default") : null)
            ?? throw new InvalidInputException("Region",
                "no AWS region given: pass AwsCloudOptions.Region (such as AwsCloudOptions.Region eu-west-1), set AWS_REGION, or set region in your AWS profile");
        return RegionPattern().IsMatch(region)
            ? region
            : throw new InvalidInputException("Region", $"AwsCloudOptions.Region \"{region}\": not a region name (such as eu-west-1)");
    }

    public AWSCredentials ResolveCredentials(string? profile)
    {
        if (profile is not null)
        {
            return profiles.TryGetAWSCredentials(profile, out var fromProfile)
                ? fromProfile
                : throw new InvalidInputException(AwsBoundary.NoCredentials,
                    $"AwsCloudOptions.Profile {profile}: no such profile with credentials in the shared config and credentials files (list them with: aws configure list-profiles)");
        }

        try
        {
            return DefaultAWSCredentialsIdentityResolver.GetCredentials(null);
        }
        catch (AmazonClientException)
        {
            // The SDK's text lists every provider it tried, over several lines; one line says what to do.
            throw new InvalidInputException(AwsBoundary.NoCredentials,
                "no AWS credentials found (environment, shared config and credentials files, SSO, instance metadata): run 'aws configure' or 'aws sso login', set AWS_PROFILE, or pass AwsCloudOptions.Profile");
        }
    }

    private static Uri? ResolveEndpoint(string? endpoint)
    {
        if (endpoint is null)
        {
            return null;
        }

        return Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
            ? uri
            : throw new InvalidInputException("EndpointUrl", $"AwsCloudOptions.EndpointUrl \"{endpoint}\": give an http:// or https:// URL");
    }

    private string? ProfileRegion(string name) =>
        profiles.TryGetProfile(name, out var profile) ? profile.Region?.SystemName : null;

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    [GeneratedRegex(@"^[a-z]{2}(-[a-z]+)+-\d{1,2}$")]
    private static partial Regex RegionPattern();
}
