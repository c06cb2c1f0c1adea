using System.Collections.Frozen;
using System.Reflection;
using System.Text.RegularExpressions;
using Amazon.EC2;

namespace AwsRunner.Core.Cloud.Aws;

/// <summary>
/// EC2's instance type names as the SDK lists them: what the local cloud accepts (it takes EC2's names), and where
/// a name EC2 does not know finds the one it most likely meant.
/// </summary>
internal static partial class Ec2InstanceTypeNames
{
    private static readonly Lazy<FrozenSet<string>> All = new(() => typeof(InstanceType)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Where(f => f.FieldType == typeof(InstanceType))
        .Select(f => ((InstanceType)f.GetValue(null)!).Value)
        .ToFrozenSet(StringComparer.Ordinal));

    public static IReadOnlySet<string> Names => All.Value;

    /// <summary>Each of <paramref name="unknown"/> with the known name it most likely meant, or null.</summary>
    public static IReadOnlyDictionary<string, string?> WithSuggestions(IEnumerable<string> unknown) =>
        unknown.Distinct(StringComparer.Ordinal).ToDictionary(t => t, t => ClosestName.Find(t, Names), StringComparer.Ordinal);

    /// <summary>
    /// The types EC2's InvalidInstanceType message names ("The following supplied instance types do not exist:
    /// [t3.mirco, c5.larg]"); empty when it names none.
    /// </summary>
    public static IReadOnlyList<string> NamedIn(string message) =>
        Listed().Match(message) is { Success: true } match
            ? match.Groups[1].Value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            : [];

    [GeneratedRegex(@"\[([^\]]*)\]")]
    private static partial Regex Listed();
}
