using System.Text.RegularExpressions;

namespace AwsRunner.Core.Jobs;

/// <summary>
/// The NAME of a batch. It names the bucket by default, so it follows S3's bucket-name rules.
/// </summary>
public static partial class BatchName
{
    /// <summary>Checks a batch name and returns it unchanged.</summary>
    /// <param name="name">The name the user gave.</param>
    /// <returns><paramref name="name"/>, when valid.</returns>
    /// <exception cref="InvalidInputException">The name breaks a bucket-name rule; the message says which.</exception>
    public static string Validate(string name) => Validate(name, "name", "Name");

    /// <summary>Checks a bucket name given with <c>--bucket</c> by the same rules.</summary>
    internal static string ValidateBucket(string bucket) => Validate(bucket, "bucket", "Bucket");

    private static string Validate(string name, string what, string code)
    {
        var problem = Problem(name);
        return problem is null
            ? name
            : throw new InvalidInputException(code, $"{what} \"{name}\": {problem}");
    }

    private static string? Problem(string name)
    {
        if (name.Length is < 3 or > 63)
        {
            return $"must be 3 to 63 characters long (it has {name.Length}), because it names the S3 bucket";
        }

        if (!Allowed().IsMatch(name))
        {
            return "may hold only lowercase letters, digits and hyphens, because it names the S3 bucket";
        }

        if (!char.IsAsciiLetterOrDigit(name[0]) || !char.IsAsciiLetterOrDigit(name[^1]))
        {
            return "must start and end with a lowercase letter or a digit";
        }

        string[] reservedPrefixes = ["xn--", "sthree-", "amzn-s3-demo-"];
        string[] reservedSuffixes = ["-s3alias", "--ol-s3", "--x-s3", "--table-s3"];
        return reservedPrefixes.FirstOrDefault(name.StartsWith) is { } prefix
            ? $"must not start with \"{prefix}\" (reserved by S3)"
            : reservedSuffixes.FirstOrDefault(name.EndsWith) is { } suffix
                ? $"must not end with \"{suffix}\" (reserved by S3)"
                : null;
    }

    [GeneratedRegex("^[a-z0-9-]+$")]
    private static partial Regex Allowed();
}
