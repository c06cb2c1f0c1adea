namespace AwsRunner.Sim.Spot;

/// <summary>
/// Which spot instances the fleet interrupts by itself (--interrupt-spot): each one with probability
/// <paramref name="share"/>, its notice at a time drawn evenly within its first <see cref="WithinMinutes"/> minutes
/// (as the fleet's --minute scales them) after its node booted. The same seed and the same instances, in the same
/// order, give the same interruptions.
/// </summary>
internal sealed class SpotInterruptions(double share, int? seed, TimeSpan minute)
{
    /// <summary>The notice comes within this many (scaled) minutes of the boot.</summary>
    public const int WithinMinutes = 3;

    private readonly Random random = seed is { } value ? new Random(value) : new Random();

    /// <summary>The interruption of a spot instance whose node booted at <paramref name="bootedAt"/>, or null when it is spared.</summary>
    public Interruption? Plan(DateTimeOffset bootedAt)
    {
        // Both draws are made whatever the outcome, so that one instance's fate never shifts the next one's.
        var interrupted = random.NextDouble() < share;
        var after = minute * (random.NextDouble() * WithinMinutes);
        return interrupted ? Interruption.NoticedAt(bootedAt + after, minute) : null;
    }
}
