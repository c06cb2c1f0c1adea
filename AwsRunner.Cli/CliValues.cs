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

    /// <summary><c>--slots K</c> or <c>auto</c> (0: the type's vCPUs); 1 when not given.</summary>
    public static int Slots(string? text) => text?.Trim() switch
    {
        null => 1,
        "auto" => 0,
        { } number when int.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out var slots) && slots >= 1 => slots,
        _ => throw new InvalidInputException("Slots", $"--slots \"{text}\": give a number of rows at once, such as 4, or auto (one a vCPU)"),
    };

    /// <summary><c>--max-instances N</c> (every type) or <c>TYPE=N,TYPE=N</c> (the types named).</summary>
    public static (int? All, IReadOnlyDictionary<string, int> ByType) MaxInstances(string? text)
    {
        var byType = new Dictionary<string, int>(StringComparer.Ordinal);
        if (text is null)
        {
            return (null, byType);
        }

        if (int.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var all) && all >= 1)
        {
            return (all, byType);
        }

        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var pair = part.Split('=', 2, StringSplitOptions.TrimEntries);
            if (pair.Length != 2 || pair[0].Length == 0 || !int.TryParse(pair[1], NumberStyles.None, CultureInfo.InvariantCulture, out var most) || most < 1
                || !byType.TryAdd(pair[0], most))
            {
                throw new InvalidInputException("MaxInstances", $"--max-instances \"{text}\": give a number of nodes, such as 3, or TYPE=N for each type, such as c5.large=3,t3.micro=2");
            }
        }

        return byType.Count > 0 ? (null, byType)
            : throw new InvalidInputException("MaxInstances", $"--max-instances \"{text}\": give a number of nodes, such as 3, or TYPE=N for each type");
    }

    [GeneratedRegex(@"^(\d+(?:\.\d+)?)([smhd]?)$", RegexOptions.IgnoreCase)]
    private static partial Regex DurationPattern();

    [GeneratedRegex(@"^(\d+(?:\.\d+)?)([KMGT]?)(?:i?B)?$", RegexOptions.IgnoreCase)]
    private static partial Regex SizePattern();
}
