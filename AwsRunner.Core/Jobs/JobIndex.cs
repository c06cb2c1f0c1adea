using System.Globalization;

namespace AwsRunner.Core.Jobs;

/// <summary>How a job's index is written in paths and object keys.</summary>
public static class JobIndex
{
    /// <summary>The index zero-padded to four digits (<c>7</c> gives <c>0007</c>).</summary>
    /// <param name="index">The job's index.</param>
    /// <returns>The folder name.</returns>
    public static string Format(int index) => index.ToString("D4", CultureInfo.InvariantCulture);

    /// <summary>Reads a folder name back into an index.</summary>
    /// <param name="folder">A folder name such as <c>0007</c>.</param>
    /// <param name="index">The index, when the name is one.</param>
    /// <returns>Whether <paramref name="folder"/> is a job folder name.</returns>
    internal static bool TryParse(string folder, out int index)
    {
        index = 0;
        return folder.Length >= 4 && folder.All(char.IsAsciiDigit)
            && int.TryParse(folder, NumberStyles.None, CultureInfo.InvariantCulture, out index);
    }
}
