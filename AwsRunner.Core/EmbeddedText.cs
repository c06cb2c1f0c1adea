using System.Reflection;

namespace AwsRunner.Core;

/// <summary>Reads the scripts embedded in an assembly (this one unless told).</summary>
internal static class EmbeddedText
{
    public static string Read(string name) => Read(typeof(EmbeddedText).Assembly, name);

    public static string Read(Assembly assembly, string name)
    {
        using var stream = assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"resource {name} is missing from {assembly.GetName().Name}");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
