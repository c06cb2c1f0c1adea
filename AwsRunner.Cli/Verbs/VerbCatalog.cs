using System.Reflection;
using CommandLine;

namespace AwsRunner.Cli.Verbs;

/// <summary>The verbs, in the order a batch meets them, each described from its own attributes.</summary>
internal static class VerbCatalog
{
    public static IReadOnlyList<VerbDescription> All { get; } =
    [
        Describe<DispatchVerb>(),
        Describe<StatusVerb>(),
        Describe<LogsVerb>(),
        Describe<SshVerb>(),
        Describe<PutVerb>(),
        Describe<GetVerb>(),
        Describe<FetchVerb>(),
        Describe<DownVerb>(),
    ];

    public static Type[] Types => [.. All.Select(v => v.Type)];

    public static VerbDescription? Find(string name) => All.FirstOrDefault(v => v.Name == name);

    public static VerbDescription Of(Type type) => All.First(v => v.Type == type);

    private static VerbDescription Describe<TVerb>()
        where TVerb : IVerbHelp
    {
        var type = typeof(TVerb);
        var verb = type.GetCustomAttribute<VerbAttribute>()!;
        // The verb's own options first, then those every verb takes.
        var properties = type.GetProperties(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly)
            .Concat(typeof(CommonOptions).GetProperties(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly))
            .ToList();
        var arguments = properties
            .Select(p => (Property: p, Value: p.GetCustomAttribute<ValueAttribute>()))
            .Where(p => p.Value is not null)
            .Select(p => new VerbArgument(p.Value!.Index, p.Value.MetaName, Help(p.Value.HelpText, p.Value.ResourceType), p.Value.Required, p.Property.PropertyType))
            .OrderBy(a => a.Index)
            .ToList();
        var options = properties
            .Select(p => (Property: p, Option: p.GetCustomAttribute<OptionAttribute>()))
            .Where(p => p.Option is not null)
            .Select(p => new VerbOption(
                p.Option!.ShortName.Length == 0 ? null : p.Option.ShortName,
                p.Option.LongName,
                Help(p.Option.HelpText, p.Option.ResourceType),
                p.Option.Default,
                p.Property.PropertyType != typeof(bool),
                p.Option.Hidden))
            .ToList();
        return new VerbDescription(type, verb.Name, verb.HelpText, TVerb.Synopsis, TVerb.Examples, arguments, options);
    }

    /// <summary>A help text, or the value of the property it names on its resource type (texts that quote a default).</summary>
    private static string Help(string text, Type? resources) =>
        resources?.GetProperty(text, BindingFlags.Public | BindingFlags.Static)?.GetValue(null) as string ?? text;
}
