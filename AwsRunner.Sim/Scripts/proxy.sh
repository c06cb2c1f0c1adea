#!/usr/bin/env bash
# The simulated fleet's ProxyCommand (ssh_config: ProxyCommand proxy.sh %h %p). It leads ssh to the sshd that stands
# in for the instance at address %h, and only ever connects to 127.0.0.1, at the port the fleet's map ("ports", next
# to this script, one "ADDRESS PORT" a line) gives for that address. An address the map does not know is refused,
# never tried anywhere else. Needs only bash (its /dev/tcp) and cat.
set -u
address=${1:?usage: proxy.sh ADDRESS PORT}
port=""
while read -r known known_port; do
    if [ "$known" = "$address" ]; then
        port=$known_port
        break
    fi
done < "$(dirname "${BASH_SOURCE[0]}")/ports"

case $port in
    '' | *[!0-9]*)
        echo "awsrunner fleet: no instance answers SSH at $address (not running, or its sshd has not started yet)" >&2
        exit 1 ;;
esac

exec 3<> "/dev/tcp/127.0.0.1/$port" || exit 1
exec 4<&0
# One copy for each direction; when either side closes, both end, so neither ssh nor sshd waits on a dead peer.
cat <&3 &
from_node=$!
cat <&4 >&3 &
to_node=$!
wait -n
kill "$from_node" "$to_node" 2> /dev/null
