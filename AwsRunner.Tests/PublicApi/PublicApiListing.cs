using System.Reflection;
using System.Text;

namespace AwsRunner.Tests.PublicApi;

/// <summary>Writes an assembly's public surface as sorted text, one member per line, so a change shows as a diff.</summary>
internal static class PublicApiListing
{
    private const BindingFlags Declared = BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;

    public static string For(Assembly assembly)
    {
        var text = new StringBuilder();
        foreach (var type in assembly.GetExportedTypes().OrderBy(t => t.FullName, StringComparer.Ordinal))
        {
            text.Append(Kind(type)).Append(' ').Append(Name(type));
            var bases = type.IsEnum ? [] : new[] { type.BaseType }.Where(b => b is not null && b != typeof(object) && b != typeof(ValueType) && b != typeof(Enum))
                .Concat(type.GetInterfaces().Where(i => !i.Name.StartsWith("IEquatable", StringComparison.Ordinal)))
                .Select(b => Name(b!))
                .ToList();
            text.Append(bases.Count > 0 ? " : " + string.Join(", ", bases) : "").Append('\n');
            // An enum's order is its values; everything else is sorted so that moving code around changes nothing.
            foreach (var member in type.IsEnum ? Members(type) : Members(type).Order(StringComparer.Ordinal))
            {
                text.Append("    ").Append(member).Append('\n');
            }
        }

        return text.ToString();
    }

    private static IEnumerable<string> Members(Type type)
    {
        if (type.IsEnum)
        {
            return Enum.GetValues(type).Cast<object>().Select(v => $"{v} = {Convert.ToInt64(v, System.Globalization.CultureInfo.InvariantCulture)}");
        }

        var compilerMade = new[] { "<Clone>$", "Deconstruct", "Equals", "GetHashCode", "ToString", "PrintMembers", "op_Equality", "op_Inequality" };
        return type.GetMembers(Declared).Select(member => member switch
        {
            ConstructorInfo c => $"ctor({Parameters(c)})",
            MethodInfo m when !m.IsSpecialName && !compilerMade.Contains(m.Name) => $"{(m.IsStatic ? "static " : "")}{Name(m.ReturnType)} {m.Name}({Parameters(m)})",
            PropertyInfo p => $"{(p.GetMethod?.IsStatic == true ? "static " : "")}{Name(p.PropertyType)} {p.Name} {{ {(p.GetMethod?.IsPublic == true ? "get; " : "")}{(p.SetMethod?.IsPublic == true ? (IsInit(p) ? "init; " : "set; ") : "")}}}",
            FieldInfo f => $"{(f.IsLiteral ? "const " : f.IsStatic ? "static " : "")}{Name(f.FieldType)} {f.Name}",
            EventInfo e => $"event {Name(e.EventHandlerType!)} {e.Name}",
            _ => null,
        }).OfType<string>();
    }

    private static bool IsInit(PropertyInfo property) =>
        property.SetMethod!.ReturnParameter.GetRequiredCustomModifiers().Any(m => m.Name == "IsExternalInit");

    private static string Parameters(MethodBase method) =>
        string.Join(", ", method.GetParameters().Select(p => $"{Name(p.ParameterType)} {p.Name}{(p.HasDefaultValue ? " = " + (p.DefaultValue ?? "null") : "")}"));

    private static string Kind(Type type) =>
        type.IsEnum ? "enum"
        : type.IsInterface ? "interface"
        : type.IsValueType ? "struct"
        : type.IsAbstract && type.IsSealed ? "static class"
        : (type.IsSealed ? "sealed " : type.IsAbstract ? "abstract " : "") + (type.GetMethod("<Clone>$") is not null ? "record" : "class");

    private static string Name(Type type)
    {
        if (Nullable.GetUnderlyingType(type) is { } inner)
        {
            return Name(inner) + "?";
        }

        if (!type.IsGenericType)
        {
            return type.IsGenericParameter ? type.Name : type.FullName ?? type.Name;
        }

        var name = type.GetGenericTypeDefinition().FullName!;
        return name[..name.IndexOf('`', StringComparison.Ordinal)] + "<" + string.Join(", ", type.GetGenericArguments().Select(Name)) + ">";
    }
}
