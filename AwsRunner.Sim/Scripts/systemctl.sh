#!/usr/bin/env bash
# systemctl on a simulated node: "systemctl reboot", "systemctl poweroff" and "systemctl halt" go to the fleet, as the
# node's shutdown does; anything else goes to this machine's own systemctl, when it has one.
set -u
bin=$(dirname "${BASH_SOURCE[0]}")
case ${1:-} in
    reboot) exec "$bin/shutdown" -r now ;;
    poweroff | halt) exec "$bin/shutdown" -h now ;;
esac
for real in /usr/bin/systemctl /bin/systemctl; do
    if [ -x "$real" ]; then exec "$real" "$@"; fi
done
echo "systemctl: ${1:-that} is not simulated on this node, and this machine has no systemctl" >&2
exit 1
