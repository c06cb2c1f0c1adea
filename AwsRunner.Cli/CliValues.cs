using System.Globalization;
using System.Text.RegularExpressions;
using AwsRunner.Core;

namespace AwsRunner.Cli;

/// <summary>Reads durations (<c>90s</c>, <c>30m</c>, <c>6h</c>) and sizes (<c>500M</c>, <c>2G</c>) from options.</summary>
internal static partial class CliValues
{
    public static TimeSpan? Duration(string? text, string option)
    {
        if (text is null)
        {
            return null;
        }

        var match = DurationPattern().Match(text.Trim());
        if (!match.Success)
        {
            throw new InvalidInputException("Option", $"{option} \"{text}\": give a time such as 90s, 30m or 6h");
        }

        var value = double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        return match.Groups[2].Value.ToLowerInvariant() switch
        {
            "" or "s" => TimeSpan.FromSeconds(value),
            "m" => TimeSpan.FromMinutes(value),
            "h" => TimeSpan.FromHours(value),
            _ => TimeSpan.FromDays(value),
        };
    }

    public static long? Size(string? text, string option)
    {
        if (text is null)
        {
            return null;
        }

        var match = SizePattern().Match(text.Trim());
        if (!match.Success)
        {
            throw new InvalidInputException("Option", $"{option} \"{text}\": give a size such as 500M or 2G");
        }

        var value = double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        var unit = match.Groups[2].Value.ToUpperInvariant() switch
        {
            "" => 1L,
            "K" => 1L << 10,
            "M" => 1L << 20,
            "G" => 1L << 30,
            _ => 1L << 40,
        };
        return (long)(value * unit);
    }

    [GeneratedRegex(@"^(\d+(?:\.\d+)?)([smhd]?)$", RegexOptions.IgnoreCase)]
    private static partial Regex DurationPattern();

    [GeneratedRegex(@"^(\d+(?:\.\d+)?)([KMGT]?)(?:i?B)?$", RegexOptions.IgnoreCase)]
    private static partial Regex SizePattern();
}
