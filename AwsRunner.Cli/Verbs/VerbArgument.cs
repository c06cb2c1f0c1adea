namespace AwsRunner.Cli.Verbs;

/// <summary>A positional argument of a verb, as its <c>[Value]</c> attribute declares it.</summary>
internal sealed record VerbArgument(int Index, string Name, string Help, bool Required, Type Type);
