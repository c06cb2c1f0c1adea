namespace AwsRunner.Core.Dispatch;

/// <summary>
/// A secret every job of the batch gets as the environment variable <see cref="Name"/>: its value is the caller's own
/// variable of that name, or the content of <see cref="File"/>. The value goes to the nodes over SSH only, into the
/// jobs' environment; the batch keeps only the name.
/// </summary>
public sealed class JobSecret
{
    /// <summary>The variable's name, held to the rules of a job file's column.</summary>
    public required string Name { get; init; }

    /// <summary>Where the value is read from instead of the caller's environment; null for the environment.</summary>
    public string? File { get; init; }

    /// <summary>Reads <c>NAME</c> or <c>NAME=FILE</c>, as <c>--secret</c> takes it.</summary>
    /// <param name="spec">The secret as written.</param>
    /// <returns>The secret.</returns>
    public static JobSecret Parse(string spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var equals = spec.IndexOf('=', StringComparison.Ordinal);
        return equals < 0 ? new JobSecret { Name = spec } : new JobSecret { Name = spec[..equals], File = spec[(equals + 1)..] };
    }

    /// <summary>How <c>--secret</c> spells it, for messages (never the value).</summary>
    /// <returns><c>NAME</c> or <c>NAME=FILE</c>.</returns>
    public override string ToString() => File is null ? Name : $"{Name}={File}";
}
