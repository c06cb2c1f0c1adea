namespace AwsRunner.Cli.Verbs;

/// <summary>What a verb's help says besides its options: its synopsis and examples.</summary>
internal interface IVerbHelp
{
    /// <summary>The verb's command line in one line: its arguments, in order, and its main options.</summary>
    static abstract string Synopsis { get; }

    /// <summary>Command lines to copy, each quoted as a shell needs it.</summary>
    static abstract IReadOnlyList<VerbExample> Examples { get; }
}
