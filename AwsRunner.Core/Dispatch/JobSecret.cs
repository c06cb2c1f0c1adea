namespace AwsRunner.Core.Dispatch;

/// <summary>
/// A secret every job of the batch gets as the environment variable <paramref name="Name"/>: its value is the
/// caller's own variable of that name, or the content of <paramref name="File"/>. The value goes to the nodes over
/// SSH only, into the jobs' environment; the batch keeps only the name.
/// </summary>
/// <param name="Name">The variable's name, held to the rules of a job file's column.</param>
/// <param name="File">Where the value is read from instead of the caller's environment; null for the environment.</param>
public sealed record JobSecret(string Name, string? File = null)
{
    /// <summary>Reads <c>NAME</c> or <c>NAME=FILE</c>, as <c>--secret</c> takes it.</summary>
    public static JobSecret Parse(string spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var equals = spec.IndexOf('=', StringComparison.Ordinal);
        return equals < 0 ? new JobSecret(spec) : new JobSecret(spec[..equals], spec[(equals + 1)..]);
    }

    /// <summary>How <c>--secret</c> spells it, for messages (never the value).</summary>
    public override string ToString() => File is null ? Name : $"{Name}={File}";
}
