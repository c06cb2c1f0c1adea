namespace AwsRunner.Cli.Verbs;

/// <summary>An option of a verb, as its <c>[Option]</c> attribute declares it.</summary>
internal sealed record VerbOption(string? ShortName, string LongName, string Help, object? Default, bool TakesValue, bool Hidden);
