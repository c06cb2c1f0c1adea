using System.Reflection;
using System.Text;
using AwsRunner.Cli.Verbs;

namespace AwsRunner.Cli.Rendering;

/// <summary>
/// The help awsrunner prints: the verbs one line each, a verb's synopsis, arguments, options and examples, and a
/// usage error in three lines (what is wrong, the synopsis, where to read more).
/// </summary>
internal static class UsageText
{
    private const int Width = 100;
    private const string Program = "awsrunner";

    public static string Version =>
        $"{Program} {typeof(UsageText).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]}";

    /// <summary>What <c>awsrunner --help</c> prints: what awsrunner is, and each verb in one line.</summary>
    public static IEnumerable<string> Verbs()
    {
        yield return $"{Version}: runs the rows of a CSV as jobs on EC2 instances that take them from a queue, and brings the results home.";
        yield return "";
        yield return $"usage: {Program} VERB ARGUMENTS [OPTIONS]";
        yield return "";
        var width = VerbCatalog.All.Max(v => v.Name.Length);
        foreach (var verb in VerbCatalog.All)
        {
            yield return $"  {verb.Name.PadRight(width)}  {verb.Summary}";
        }

        yield return "";
        yield return $"{Program} VERB --help (or {Program} help VERB) shows a verb's arguments, options and examples; README.md says more.";
        yield return ExitCodes.Help;
    }

    /// <summary>What <c>awsrunner VERB --help</c> prints, starting with the verb's synopsis.</summary>
    public static IEnumerable<string> Verb(VerbDescription verb)
    {
        yield return $"usage: {verb.Synopsis}";
        yield return "";
        yield return verb.Summary;
        yield return "";
        yield return "arguments:";
        var arguments = verb.Arguments.Select(a => (Label: a.Required ? a.Name : $"[{a.Name}]", a.Help)).ToList();
        var options = verb.Options.Where(o => !o.Hidden).Select(o => (Label: Label(o), Help: WithDefault(o))).ToList();
        var width = Math.Min(26, arguments.Concat(options).Max(e => e.Label.Length));
        foreach (var line in arguments.SelectMany(a => Entry(a.Label, a.Help, width)))
        {
            yield return line;
        }

        yield return "";
        yield return "options:";
        foreach (var line in options.SelectMany(o => Entry(o.Label, o.Help, width)))
        {
            yield return line;
        }

        yield return "";
        yield return "examples:";
        foreach (var example in verb.Examples)
        {
            yield return $"  # {example.Purpose}";
            yield return $"  {example.CommandLine}";
        }

        yield return "";
        yield return ExitCodes.Help;
    }

    /// <summary>A command line that does not parse: what is wrong, the synopsis, and where to read more.</summary>
    public static IEnumerable<string> Problem(VerbDescription? verb, string problem)
    {
        if (verb is null)
        {
            yield return $"{Program}: {problem}";
            yield return $"usage: {Program} VERB ARGUMENTS [OPTIONS], where VERB is one of {string.Join(", ", VerbCatalog.All.Select(v => v.Name))}";
            yield return $"more: {Program} --help";
            yield break;
        }

        yield return $"{Program} {verb.Name}: {problem}";
        yield return $"usage: {verb.Synopsis}";
        yield return $"more: {Program} {verb.Name} --help";
    }

    private static string Label(VerbOption option) =>
        (option.ShortName is null ? "    " : $"-{option.ShortName}, ") + $"--{option.LongName}" + (option.TakesValue ? " VALUE" : "");

    private static string WithDefault(VerbOption option) =>
        option.Default is null || option.Help.Contains("default", StringComparison.OrdinalIgnoreCase)
            ? option.Help
            : $"{option.Help.TrimEnd('.')} (default {Convert.ToString(option.Default, System.Globalization.CultureInfo.InvariantCulture)}).";

    /// <summary>A label and its text, the text wrapped beside it, in a column of its own.</summary>
    private static IEnumerable<string> Entry(string label, string text, int width)
    {
        var indent = new string(' ', width + 4);
        var lines = Wrap(text, Width - indent.Length).ToList();
        if (label.Length > width)
        {
            yield return "  " + label;
        }
        else
        {
            yield return "  " + label.PadRight(width) + "  " + lines[0];
            lines.RemoveAt(0);
        }

        foreach (var line in lines)
        {
            yield return indent + line;
        }
    }

    private static IEnumerable<string> Wrap(string text, int width)
    {
        var line = new StringBuilder();
        foreach (var word in text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (line.Length > 0 && line.Length + 1 + word.Length > width)
            {
                yield return line.ToString();
                line.Clear();
            }

            line.Append(line.Length > 0 ? " " : "").Append(word);
        }

        yield return line.ToString();
    }
}
