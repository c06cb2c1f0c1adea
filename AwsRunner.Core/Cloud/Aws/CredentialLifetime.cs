using System.Globalization;
using Amazon.Runtime;

namespace AwsRunner.Core.Cloud.Aws;

/// <summary>
/// How long URLs signed with the session's credentials can work: S3's seven days for long-lived credentials; for
/// temporary ones (SSO, an assumed role, <c>AWS_SESSION_TOKEN</c>) until they expire, since a URL dies with the
/// credentials that signed it. The expiry is the SDK's (<see cref="Amazon.Runtime.Identity.BaseIdentity.Expiration"/>,
/// known for refreshing credentials), else <c>AWS_CREDENTIAL_EXPIRATION</c> for the environment's session token (as
/// <c>aws configure export-credentials</c> writes it); a session whose expiry neither tells is taken as
/// <see cref="UnknownSession"/> long, the default of an assumed role.
/// </summary>
internal sealed class CredentialLifetime(AWSCredentials credentials, Func<string, string?> environment, TimeProvider time)
{
    /// <summary>SigV4 presigned URLs work at most seven days.</summary>
    public static readonly TimeSpan PresignedMaximum = TimeSpan.FromDays(7);

    public static readonly TimeSpan UnknownSession = TimeSpan.FromHours(1);

    private const string Remedy =
        "run the dispatch with long-lived credentials (an IAM user's access key, in a profile given with AwsCloudOptions.Profile)";

    public async Task<UploadUrlLimit> UploadUrlLimitAsync()
    {
        var current = await credentials.GetCredentialsAsync().ConfigureAwait(false);
        var longest = new UploadUrlLimit(PresignedMaximum, $"S3's presigned URLs work at most {PresignedMaximum.TotalDays:0} days");
        if (!current.UseToken)
        {
            return longest;
        }

        var now = time.GetUtcNow();
        if (Expiry(current) is not { } expires)
        {
            return new UploadUrlLimit(UnknownSession,
                "they are signed with temporary AWS credentials (a session token) whose expiry cannot be known, so it is taken as " +
                $"{UnknownSession.TotalHours:0} hour from now (if the session lasts longer, say until when in AWS_CREDENTIAL_EXPIRATION, " +
                "as 'aws configure export-credentials --format env' does)",
                Remedy);
        }

        var left = expires - now;
        return left >= PresignedMaximum
            ? longest
            : new UploadUrlLimit(left < TimeSpan.Zero ? TimeSpan.Zero : left,
                $"they are signed with temporary AWS credentials (a session), which expire {When(expires, left)}",
                Remedy);
    }

    private DateTimeOffset? Expiry(ImmutableCredentials current)
    {
        if (credentials.Expiration is { } known)
        {
            return new DateTimeOffset(DateTime.SpecifyKind(known.Kind == DateTimeKind.Local ? known.ToUniversalTime() : known, DateTimeKind.Utc));
        }

        // The variable speaks for the environment's session token, not for a profile's.
        return environment("AWS_SESSION_TOKEN") == current.Token
            && DateTimeOffset.TryParse(environment("AWS_CREDENTIAL_EXPIRATION"), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var stated)
            ? stated
            : null;
    }

    private static string When(DateTimeOffset expires, TimeSpan left) =>
        left <= TimeSpan.Zero
            ? $"at {expires.UtcDateTime:yyyy-MM-dd HH:mm} UTC, already past"
            : $"in {(left.TotalHours >= 1 ? $"{(int)left.TotalHours} h " : "")}{left.Minutes} min, at {expires.UtcDateTime:yyyy-MM-dd HH:mm} UTC";
}
