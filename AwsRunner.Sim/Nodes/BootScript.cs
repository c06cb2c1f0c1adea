namespace AwsRunner.Sim.Nodes;

/// <summary>
/// The script of an instance's user data as cloud-init runs it: a <c>#!</c> script at the first boot only, and a
/// <c>#cloud-boothook</c> (that first line, then a <c>#!</c> script) at every boot. cloud-init writes a boothook's
/// rest to a file and executes it, so a rest that is no <c>#!</c> script does not run there either.
/// </summary>
internal sealed record BootScript(string Text, bool EveryBoot)
{
    public const string BoothookLine = "#cloud-boothook";

    /// <summary>The script to run, or null when cloud-init would run none (cloud-config and the like, which are not simulated).</summary>
    public static BootScript? Of(string userData)
    {
        if (userData.StartsWith("#!", StringComparison.Ordinal))
        {
            return new BootScript(userData, EveryBoot: false);
        }

        // cloud-init turns a boothook's line ends into \n before it writes the rest.
        var text = userData.ReplaceLineEndings("\n");
        var firstLineEnd = text.IndexOf('\n', StringComparison.Ordinal);
        if (firstLineEnd < 0 || text[..firstLineEnd].TrimEnd() != BoothookLine)
        {
            return null;
        }

        var rest = text[(firstLineEnd + 1)..];
        return rest.StartsWith("#!", StringComparison.Ordinal) ? new BootScript(rest, EveryBoot: true) : null;
    }
}
