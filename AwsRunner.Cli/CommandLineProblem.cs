using System.Globalization;
using AwsRunner.Cli.Verbs;
using CommandLine;
using CommandLine.Text;

namespace AwsRunner.Cli;

/// <summary>
/// Says in words what is wrong with a command line that did not parse: the argument missing by name, the option not
/// known with the one it most likely meant, the value that is not a number.
/// </summary>
internal static class CommandLineProblem
{
    /// <summary>The error worth telling first: a typo before what the typo made go missing.</summary>
    public static Error First(IEnumerable<Error> errors) =>
        errors.OrderBy(e => e.Tag switch
        {
            ErrorType.BadVerbSelectedError => 0,
            ErrorType.UnknownOptionError => 1,
            ErrorType.MissingValueOptionError or ErrorType.BadFormatConversionError or ErrorType.BadFormatTokenError => 2,
            _ => 3,
        }).First();

    /// <param name="error">The error.</param>
    /// <param name="verb">The verb the command line named, when it named one.</param>
    /// <param name="arguments">The command line after the verb.</param>
    public static string Describe(Error error, VerbDescription? verb, IReadOnlyList<string> arguments) => error switch
    {
        BadVerbSelectedError bad => UnknownVerb(bad.Token),
        UnknownOptionError unknown => UnknownOption(unknown.Token, verb),
        MissingRequiredOptionError missing when missing.NameInfo.NameText.Length == 0 && verb is not null => MissingArgument(verb, arguments),
        MissingRequiredOptionError missing => $"missing {Flag(missing.NameInfo)}",
        MissingValueOptionError missing => $"{Flag(missing.NameInfo)} needs a value",
        BadFormatConversionError bad when bad.NameInfo.NameText.Length == 0 && verb is not null => BadArgument(verb, arguments),
        BadFormatConversionError bad => $"{Flag(bad.NameInfo)} {Quote(ValueOf(bad.NameInfo, arguments))}: not a value it takes (a number?)",
        _ => SentenceBuilder.Create().FormatError(error),
    };

    /// <summary>
    /// What the parser let pass but is still wrong: an option at the end that lacks its value, or more arguments than
    /// the verb takes (the parser drops them silently); null when there is nothing.
    /// </summary>
    public static string? AfterParse(VerbDescription verb, IReadOnlyList<string> arguments)
    {
        var last = arguments.Count > 0 && !arguments.Contains("--") ? arguments[^1] : "";
        var option = last.StartsWith("--", StringComparison.Ordinal) ? verb.Option(last[2..])
            : last.Length == 2 && last[0] == '-' ? verb.Options.FirstOrDefault(o => o.ShortName == last[1..])
            : null;
        if (option is { TakesValue: true })
        {
            return $"--{option.LongName} needs a value";
        }

        var positionals = Positionals(verb, arguments);
        var taken = verb.Arguments.Count;
        return positionals.Count > taken && !verb.Arguments.Any(a => a.Type != typeof(string) && typeof(System.Collections.IEnumerable).IsAssignableFrom(a.Type))
            ? $"unexpected argument \"{positionals[taken]}\": {verb.Name} takes " +
              (taken == 0 ? "none" : string.Join(" ", verb.Arguments.Select(a => a.Required ? a.Name : $"[{a.Name}]")))
            : null;
    }

    public static string UnknownVerb(string token) =>
        $"unknown verb \"{token}\"" + (ClosestName.Find(token, VerbCatalog.All.Select(v => v.Name)) is { } meant ? $"; did you mean {meant}?" : "");

    private static string UnknownOption(string token, VerbDescription? verb)
    {
        var name = token.TrimStart('-');
        var shown = name.Length == 1 ? "-" + name : "--" + name;
        var meant = verb is null ? null : ClosestName.Find(name, verb.Options.Where(o => !o.Hidden).Select(o => o.LongName));
        return $"unknown option {shown}" + (meant is null ? "" : $"; did you mean --{meant}?");
    }

    private static string MissingArgument(VerbDescription verb, IReadOnlyList<string> arguments)
    {
        var given = Positionals(verb, arguments).Count;
        var missing = verb.Arguments.FirstOrDefault(a => a.Required && a.Index >= given) ?? verb.Arguments.First(a => a.Required);
        return $"missing {missing.Name}, {Lowered(missing.Help)}";
    }

    private static string BadArgument(VerbDescription verb, IReadOnlyList<string> arguments)
    {
        var given = Positionals(verb, arguments);
        var bad = verb.Arguments
            .Where(a => a.Index < given.Count && a.Type == typeof(int) && !int.TryParse(given[a.Index], NumberStyles.None, CultureInfo.InvariantCulture, out _))
            .FirstOrDefault();
        return bad is null
            ? "an argument is not of the kind it should be"
            : $"{bad.Name} {Quote(given[bad.Index])}: give a number; {Lowered(bad.Help)}";
    }

    /// <summary>
    /// The positional arguments among <paramref name="arguments"/>, read as the parser reads them: an option that
    /// takes a value takes the next word (unless written --name=value), and everything after -- is positional.
    /// </summary>
    public static IReadOnlyList<string> Positionals(VerbDescription verb, IReadOnlyList<string> arguments)
    {
        var positionals = new List<string>();
        for (var i = 0; i < arguments.Count; i++)
        {
            var word = arguments[i];
            if (word == "--")
            {
                positionals.AddRange(arguments.Skip(i + 1));
                break;
            }

            if (word.StartsWith("--", StringComparison.Ordinal))
            {
                if (!word.Contains('=', StringComparison.Ordinal) && verb.Option(word[2..])?.TakesValue == true)
                {
                    i++;
                }
            }
            else if (word.Length > 1 && word[0] == '-')
            {
                var last = word[^1].ToString();
                if (verb.Options.FirstOrDefault(o => o.ShortName == last)?.TakesValue == true)
                {
                    i++;
                }
            }
            else
            {
                positionals.Add(word);
            }
        }

        return positionals;
    }

    private static string ValueOf(NameInfo name, IReadOnlyList<string> arguments)
    {
        for (var i = 0; i < arguments.Count; i++)
        {
            if (arguments[i] == "--" + name.LongName || (name.ShortName.Length > 0 && arguments[i] == "-" + name.ShortName))
            {
                return i + 1 < arguments.Count ? arguments[i + 1] : "";
            }

            if (arguments[i].StartsWith("--" + name.LongName + "=", StringComparison.Ordinal))
            {
                return arguments[i][(name.LongName.Length + 3)..];
            }
        }

        return "";
    }

    private static string Flag(NameInfo name) => name.LongName.Length > 0 ? "--" + name.LongName : "-" + name.ShortName;

    private static string Quote(string value) => $"\"{value}\"";

    private static string Lowered(string help) =>
        help.Length == 0 ? help : char.ToLowerInvariant(help[0]) + help[1..].TrimEnd('.');
}
