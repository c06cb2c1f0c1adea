namespace AwsRunner.Core;

/// <summary>awsrunner's own folder on this machine: <c>$AWSRUNNER_HOME</c>, else <c>~/.awsrunner</c>.</summary>
public static class AwsRunnerHome
{
    /// <summary>The folder from the environment.</summary>
    /// <returns>The full path (it may not exist yet).</returns>
    public static string Resolve()
    {
        var configured = Environment.GetEnvironmentVariable("AWSRUNNER_HOME");
        return Path.GetFullPath(string.IsNullOrEmpty(configured)
            ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".awsrunner")
            : configured);
    }

    /// <summary>The folder of one batch: its key, known hosts and record.</summary>
    /// <param name="home">The awsrunner home.</param>
    /// <param name="batch">The batch's NAME.</param>
    /// <returns>The full path.</returns>
    internal static string BatchFolder(string home, string batch) => Path.Combine(home, batch);

    /// <summary>The private key the batch's nodes are reached with (made for the batch, or a link to the user's <c>--key-file</c>).</summary>
    /// <param name="home">The awsrunner home.</param>
    /// <param name="batch">The batch's NAME.</param>
    /// <returns>The full path.</returns>
    internal static string KeyFile(string home, string batch) => Path.Combine(BatchFolder(home, batch), "key.pem");

    /// <summary>The host keys of the batch's nodes, recorded under their instance ids (OpenSSH's known_hosts format).</summary>
    /// <param name="home">The awsrunner home.</param>
    /// <param name="batch">The batch's NAME.</param>
    /// <returns>The full path.</returns>
    internal static string KnownHostsFile(string home, string batch) => Path.Combine(BatchFolder(home, batch), "known_hosts");
}
