using System.Globalization;
using System.Xml.Linq;

namespace AwsRunner.Core.Cloud.Aws.Ec2;

/// <summary>Reads EC2 answers by local name, so the API version's XML namespace never matters.</summary>
internal static class Ec2Xml
{
    public static XElement? Child(this XElement? element, string name) =>
        element?.Elements().FirstOrDefault(e => e.Name.LocalName == name);

    public static string? Text(this XElement? element, string name) => element.Child(name)?.Value is { Length: > 0 } text ? text : null;

    public static string Required(this XElement element, string name) =>
        element.Text(name) ?? throw new FormatException($"EC2 answered a {element.Name.LocalName} without {name}");

    /// <summary>The <c>item</c>s of a set such as <c>instancesSet</c>.</summary>
    public static IEnumerable<XElement> Items(this XElement? element, string set) =>
        element.Child(set)?.Elements().Where(e => e.Name.LocalName == "item") ?? [];

    public static IReadOnlyDictionary<string, string> Tags(this XElement element) =>
        element.Items("tagSet")
            .Select(t => (Key: t.Text("key"), Value: t.Text("value") ?? ""))
            .Where(t => t.Key is not null)
            .GroupBy(t => t.Key!, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.First().Value, StringComparer.Ordinal);

    public static int Int(this XElement element, string name, int fallback = 0) =>
        int.TryParse(element.Text(name), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : fallback;

    public static DateTimeOffset Time(this XElement element, string name) =>
        DateTimeOffset.TryParse(element.Text(name), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var value)
            ? value
            : DateTimeOffset.MinValue;
}
