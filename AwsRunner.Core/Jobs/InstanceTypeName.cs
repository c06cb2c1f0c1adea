using System.Text.RegularExpressions;

namespace AwsRunner.Core.Jobs;

/// <summary>The shape of an EC2 instance type (<c>c5.large</c>), as the job file and the batch manifest must write it.</summary>
internal static partial class InstanceTypeName
{
    public static bool IsValid(string text) => Shape().IsMatch(text);

    /// <summary>What is wrong with an instance type, or null when it has the right shape.</summary>
    public static string? Problem(string text) =>
        text.Length == 0 ? "empty instance type"
        : IsValid(text) ? null
        : $"instance type \"{JobFileReader.Shorten(text)}\" is not of the form family.size (e.g. c5.large)";

    [GeneratedRegex("^[a-z][a-z0-9-]*\\.[a-z0-9]+$")]
    private static partial Regex Shape();
}
