using System.Globalization;

namespace AwsRunner.Core.Cloud.Aws;

/// <summary>
/// The user data every node boots with: a cloud-init boothook, which runs at every boot, that schedules the power-off
/// at an absolute time fixed at launch, before anything else runs. A node that is never reached still terminates
/// (shutdown behaviour is terminate), and a reboot (maintenance, a kernel panic, an INSTALL.sh that installs drivers)
/// re-arms the switch, which Linux forgets at a reboot; a boot past that time powers off at once.
/// </summary>
internal static class DeadMansSwitch
{
    public static string UserData(DateTimeOffset powerOffAt)
    {
        var deadline = powerOffAt.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var when = powerOffAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
        return $"""
            #cloud-boothook
            #!/bin/sh
            # awsrunner: dead man's switch. At every boot: the node powers off (and so terminates) at {when} UTC.
            deadline={deadline}
            left=$(( deadline - $(date +%s) ))
            if [ "$left" -le 0 ]; then
                shutdown -h now 'awsrunner: batch lifetime reached' || /sbin/shutdown -h now
                exit 0
            fi
            minutes=$(( (left + 59) / 60 ))
            # A boothook runs early in the boot; should shutdown not take the request yet, a sleep keeps the time.
            shutdown -h +$minutes 'awsrunner: batch lifetime reached' || /sbin/shutdown -h +$minutes \
                || (nohup sh -c "sleep $left; shutdown -h now || /sbin/shutdown -h now" > /dev/null 2>&1 &)

            """.ReplaceLineEndings("\n");
    }
}
