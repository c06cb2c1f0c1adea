#!/usr/bin/env bash
# shutdown (also poweroff, halt and reboot) on a simulated node: asks the fleet to power this node off, which
# terminates its instance and ends its sshd and every process of the node, or to reboot it (its processes end, its
# disk stays, it boots again). "shutdown -h now" powers off within a moment, "shutdown -h +MINUTES" then (minutes as
# the fleet scales them), "shutdown -r now|+MINUTES" and "reboot" reboot, "shutdown -c" cancels what is scheduled.
# As on Linux, one shutdown is scheduled at a time: a new one replaces it, and a reboot forgets it.
# The request is a file the fleet watches: AWSRUNNER_FLEET_POWER, one line "poweroff MINUTES" or "reboot MINUTES".
set -u
request=${AWSRUNNER_FLEET_POWER:?this shutdown only works on a node of the simulated fleet}
action=poweroff
minutes=0
case "$(basename "$0")" in
    poweroff | halt) set -- ;;
    reboot) action=reboot; set -- ;;
esac
for word in "$@"; do
    case $word in
        -h | -H | -P | --halt | --poweroff) action=poweroff ;;
        -r | --reboot) action=reboot ;;
        --no-wall) ;;
        -c)
            rm -f "$request"
            exit 0 ;;
        now) minutes=0 ;;
        +[0-9]*)
            minutes=${word#+}
            case $minutes in *[!0-9]*) echo "shutdown: bad time $word" >&2; exit 1 ;; esac ;;
        -*)
            echo "shutdown: option $word is not simulated" >&2
            exit 1 ;;
        [0-9]*:[0-9]*)
            echo "shutdown: the simulated fleet takes now or +MINUTES, not $word" >&2
            exit 1 ;;
        *) ;; # the wall message
    esac
done
printf '%s %s\n' "$action" "$minutes" > "$request.tmp" && mv -f "$request.tmp" "$request"
case $action in poweroff) what="power-off" ;; *) what="reboot" ;; esac
if [ "$minutes" -eq 0 ]; then
    echo "awsrunner fleet: $what now" >&2
else
    echo "awsrunner fleet: $what scheduled in $minutes minutes" >&2
fi
