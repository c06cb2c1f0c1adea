namespace AwsRunner.Cli.Verbs;

/// <summary>One example in a verb's help: what it does, and the command line as a user types it (quoted for the shell).</summary>
internal sealed record VerbExample(string Purpose, string CommandLine);
