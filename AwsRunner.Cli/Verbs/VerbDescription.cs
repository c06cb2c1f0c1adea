namespace AwsRunner.Cli.Verbs;

/// <summary>Everything the help says about one verb, read once from its class.</summary>
internal sealed record VerbDescription(
    Type Type,
    string Name,
    string Summary,
    string Synopsis,
    IReadOnlyList<VerbExample> Examples,
    IReadOnlyList<VerbArgument> Arguments,
    IReadOnlyList<VerbOption> Options)
{
    /// <summary>The option of this long name (without dashes), or null.</summary>
    public VerbOption? Option(string longName) => Options.FirstOrDefault(o => o.LongName == longName);
}
