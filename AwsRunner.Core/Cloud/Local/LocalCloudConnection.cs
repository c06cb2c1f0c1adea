using Microsoft.Extensions.Logging;

namespace AwsRunner.Core.Cloud.Local;

/// <summary>Opens the local cloud: nodes are folders and processes on this machine, the bucket a folder.</summary>
public static class LocalCloudConnection
{
    /// <summary>The local cloud's connection, its node shells included.</summary>
    /// <param name="home">The awsrunner home (<c>$AWSRUNNER_HOME</c>) under which nodes and buckets live.</param>
    /// <param name="maxParallel">How many local nodes may run their jobs at once; the others wait their turn.</param>
    /// <param name="time">The clock; the system's when null.</param>
    /// <param name="loggers">Where the cloud logs; nowhere when null.</param>
    /// <returns>The connection.</returns>
    public static CloudConnection Open(string home, int maxParallel, TimeProvider? time = null, ILoggerFactory? loggers = null)
    {
        time ??= TimeProvider.System;
        loggers ??= Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance;
        ArgumentOutOfRangeException.ThrowIfLessThan(maxParallel, 1);
        var paths = new LocalPaths(home);
        return new CloudConnection(
            "local",
            new LocalCloud(paths, maxParallel, time, loggers.CreateLogger<LocalCloud>()),
            new LocalNodeShell(),
            new LocalResultStore(paths));
    }
}
