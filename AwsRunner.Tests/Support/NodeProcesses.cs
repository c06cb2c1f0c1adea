using System.Diagnostics;

namespace AwsRunner.Tests.Support;

/// <summary>Finds (and ends) the processes started for a test, by a variable in their environment that they all inherit.</summary>
internal static class NodeProcesses
{
    /// <summary>The ids of live processes whose environment has <paramref name="variable"/> set to a value starting with <paramref name="prefix"/>.</summary>
    public static IReadOnlyList<int> Find(string variable, string prefix)
    {
        var found = new List<int>();
        foreach (var folder in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(folder), out var pid) || pid == Environment.ProcessId)
            {
                continue;
            }

            try
            {
                var environment = File.ReadAllText(Path.Combine(folder, "environ")).Split('\0');
                if (environment.Any(e => e.StartsWith(variable + "=" + prefix, StringComparison.Ordinal)) && !IsZombie(folder))
                {
                    found.Add(pid);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // The process ended while we looked, or is not ours to read.
            }
        }

        return found;
    }

    public static void Kill(string variable, string prefix)
    {
        foreach (var pid in Find(variable, prefix))
        {
            try
            {
                Process.GetProcessById(pid).Kill();
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
            {
                // Already gone.
            }
        }
    }

    private static bool IsZombie(string folder)
    {
        var stat = File.ReadAllText(Path.Combine(folder, "stat"));
        return stat[(stat.LastIndexOf(')') + 2)..].StartsWith('Z');
    }
}
