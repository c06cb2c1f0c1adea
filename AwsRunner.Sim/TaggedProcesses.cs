using System.Diagnostics;

namespace AwsRunner.Sim;

/// <summary>
/// Finds and ends processes by a variable in their environment that they all inherit: the way to reach every process a
/// node started, detached ones included, and nothing else on the machine.
/// </summary>
internal static class TaggedProcesses
{
    private const int KillRounds = 20;
    private static readonly TimeSpan BetweenRounds = TimeSpan.FromMilliseconds(50);

    /// <summary>The ids of live processes whose environment sets <paramref name="variable"/> to a value starting with <paramref name="prefix"/>.</summary>
    public static IReadOnlyList<int> Find(string variable, string prefix)
    {
        var entry = variable + "=" + prefix;
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
                if (environment.Any(e => e.StartsWith(entry, StringComparison.Ordinal)) && !IsZombie(folder))
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

    /// <summary>Kills (SIGKILL) every process so tagged, once.</summary>
    public static void Kill(string variable, string prefix)
    {
        foreach (var pid in Find(variable, prefix))
        {
            try
            {
                using var process = Process.GetProcessById(pid);
                process.Kill();
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
            {
                // Already gone.
            }
        }
    }

    /// <summary>Kills in rounds until none is left, since a process may fork between a look and a kill.</summary>
    /// <remarks>Not cancellable: it is how things are cleaned up, also when everything else was cancelled.</remarks>
    /// <returns>The ids of processes still alive after the last round (none, normally).</returns>
    public static async Task<IReadOnlyList<int>> KillAllAsync(string variable, string prefix, TimeProvider time)
    {
        for (var round = 0; round < KillRounds; round++)
        {
            if (Find(variable, prefix).Count == 0)
            {
                return [];
            }

            Kill(variable, prefix);
            await Task.Delay(BetweenRounds, time).ConfigureAwait(false);
        }

        return Find(variable, prefix);
    }

    private static bool IsZombie(string folder)
    {
        var stat = File.ReadAllText(Path.Combine(folder, "stat"));
        return stat[(stat.LastIndexOf(')') + 2)..].StartsWith('Z');
    }
}
