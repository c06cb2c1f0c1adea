namespace AwsRunner.Core;

/// <summary>Reads the scripts embedded in this assembly.</summary>
internal static class EmbeddedText
{
    public static string Read(string name)
    {
        using var stream = typeof(EmbeddedText).Assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"resource {name} is missing from the assembly");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
