using System.Security.Cryptography;
using System.Text;

namespace AwsRunner.Core.Cloud.Aws;

/// <summary>
/// The ClientToken of one RunInstances call. The same call retried (a lost answer, a crashed run) gets the same
/// token, so EC2 returns the instances it already launched instead of launching twins. The instances the rows had
/// before are part of it: once those are gone, relaunching the same rows is a new call with a new token. So is the
/// image, so that a retry with another one is a new launch rather than EC2's IdempotentParameterMismatch, and so is
/// a call that lets EC2 launch fewer (a MinCount), made after the call for all of them was refused.
/// </summary>
internal static class LaunchToken
{
    public static string For(
        string batch, string imageId, string instanceType, IReadOnlyList<int> rows, bool spot, IEnumerable<string> previousInstances, int? minCount = null)
    {
        var text = string.Join('\n',
            "awsrunner", batch, imageId, instanceType, RowsTag.Encode(rows), spot ? "spot" : "on-demand",
            string.Join(',', previousInstances.Order(StringComparer.Ordinal)));
        if (minCount is { } min)
        {
            text += $"\nat least {min.ToString(System.Globalization.CultureInfo.InvariantCulture)}";
        }

        // 64 hex digits: exactly EC2's limit for a client token.
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
    }
}
