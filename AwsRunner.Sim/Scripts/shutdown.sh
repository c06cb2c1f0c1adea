#!/usr/bin/env bash
# shutdown (also poweroff and halt) on a simulated node: asks the fleet to power this node off, which terminates its
# instance and ends its sshd and every process of the node. "shutdown -h now" powers off within a moment,
# "shutdown -h +MINUTES" then (minutes as the fleet scales them), "shutdown -c" cancels a scheduled power-off.
# The request is a file the fleet watches: AWSRUNNER_FLEET_POWER, one line "MINUTES".
set -u
request=${AWSRUNNER_FLEET_POWER:?this shutdown only works on a node of the simulated fleet}
minutes=0
case "$(basename "$0")" in
    poweroff | halt) set -- ;;
esac
for word in "$@"; do
    case $word in
        -h | -H | -P | --halt | --poweroff | --no-wall) ;;
        -c)
            rm -f "$request"
            exit 0 ;;
        -r | --reboot)
            echo "shutdown: the simulated fleet has no reboot" >&2
            exit 1 ;;
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
printf '%s\n' "$minutes" > "$request.tmp" && mv -f "$request.tmp" "$request"
if [ "$minutes" -eq 0 ]; then
    echo "awsrunner fleet: powering off" >&2
else
    echo "awsrunner fleet: power-off scheduled in $minutes minutes" >&2
fi
