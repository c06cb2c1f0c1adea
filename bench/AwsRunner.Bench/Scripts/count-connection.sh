#!/usr/bin/env bash
# The fan-out measurement's ProxyCommand: counts one SSH connection (a byte appended to the file named by $1; O_APPEND
# writes of one byte never mix), then hands over to the simulated fleet's own proxy. Usage: COUNT_FILE FLEET_PROXY HOST PORT
printf . >> "$1"
exec /bin/bash "$2" "$3" "$4"
