using System.Globalization;

namespace AwsRunner.Core.Cloud.Aws;

/// <summary>
/// The user data every node boots with: it schedules the power-off at the end of the batch's lifetime before
/// anything else runs, so a node that is never reached still terminates (shutdown behaviour is terminate).
/// </summary>
internal static class DeadMansSwitch
{
    public static string UserData(TimeSpan maxLifetime)
    {
        var minutes = Math.Max(1, (long)Math.Ceiling(maxLifetime.TotalMinutes)).ToString(CultureInfo.InvariantCulture);
        return $"""
            #!/bin/sh
            # awsrunner: dead man's switch, the node powers off (and so terminates) after {minutes} minutes at most.
            shutdown -h +{minutes} 'awsrunner: batch lifetime reached' || /sbin/shutdown -h +{minutes}

            """;
    }
}
