using System.Reflection;
using AwsRunner.Core.Dispatch;

namespace AwsRunner.Tests;

/// <summary>
/// The shape of AwsRunner.Core's public types (PublicAPI.*.txt pins their members): data is a sealed class with init
/// properties, never a record whose compiler-written members would be a promise too; and the internal copy
/// constructors that stand in for <c>with</c> copy every property.
/// </summary>
public sealed class PublicSurfaceTests
{
    private static readonly Assembly Core = typeof(BatchRunner).Assembly;

    private static IEnumerable<Type> Copyable() =>
        Core.GetExportedTypes().Where(t => CopyConstructor(t) is not null).OrderBy(t => t.FullName, StringComparer.Ordinal);

    [Test]
    public void PublicTypes_AreNoRecords()
    {
        var records = Core.GetExportedTypes().Where(t => t.GetMethod("<Clone>$") is not null).Select(t => t.FullName);

        Assert.That(records, Is.Empty, "a public record: make it a sealed class with init properties");
    }

    [Test]
    public void CopyConstructors_AreThere() =>
        Assert.That(Copyable().Select(t => t.Name), Is.SupersetOf(new[] { "JobStatus", "NodeOutcome" }));

    [TestCaseSource(nameof(Copyable))]
    public void CopyConstructor_CopiesEverySettableProperty(Type type)
    {
        var fresh = Activator.CreateInstance(type)!;
        var original = Activator.CreateInstance(type)!;
        var properties = type.GetProperties(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance).Where(p => p.SetMethod is not null).ToList();
        foreach (var (property, i) in properties.Select((p, i) => (p, i)))
        {
            property.SetValue(original, Different(property.PropertyType, property.GetValue(fresh), i));
        }

        var copy = CopyConstructor(type)!.Invoke([original]);

        Assert.Multiple(() =>
        {
            foreach (var property in properties)
            {
                Assert.That(property.GetValue(original), Is.Not.EqualTo(property.GetValue(fresh)), $"{property.Name} was set to a value of its own");
                Assert.That(property.GetValue(copy), Is.EqualTo(property.GetValue(original)), $"{type.Name}.{property.Name} is copied");
            }
        });
    }

    private static ConstructorInfo? CopyConstructor(Type type) =>
        type.GetConstructor(BindingFlags.NonPublic | BindingFlags.Instance, [type]);

    /// <summary>A value of <paramref name="type"/> other than <paramref name="current"/>, told apart by <paramref name="seed"/>.</summary>
    private static object Different(Type type, object? current, int seed)
    {
        var plain = Nullable.GetUnderlyingType(type) ?? type;
        return plain switch
        {
            _ when plain == typeof(string) => $"value-{seed}",
            _ when plain == typeof(int) => 100 + seed,
            _ when plain == typeof(long) => 100L + seed,
            _ when plain == typeof(double) => 100.5 + seed,
            _ when plain == typeof(bool) => current is not true,
            _ when plain == typeof(TimeSpan) => TimeSpan.FromSeconds(100 + seed),
            _ when plain == typeof(DateTimeOffset) => DateTimeOffset.UnixEpoch.AddDays(100 + seed),
            _ when plain == typeof(Uri) => new Uri($"socks5://proxy-{seed}:1080"),
            _ when plain.IsEnum => Enum.GetValues(plain).Cast<object>().Last(v => !v.Equals(current)),
            _ when plain.IsGenericType && plain.GetGenericTypeDefinition() == typeof(IReadOnlyList<>) =>
                Array.CreateInstance(plain.GetGenericArguments()[0], 1),
            _ => throw new NotSupportedException($"no value of {type} to set: add one here"),
        };
    }
}
