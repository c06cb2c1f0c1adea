#!/usr/bin/env bash
# ec2metadata (as on Ubuntu's images) on a simulated node: what EC2 says about this instance, from the fleet.
set -u
metadata=${AWSRUNNER_FLEET_METADATA:?this ec2metadata only works on a node of the simulated fleet}
value() { sed -n "s/^$1=//p" "$metadata"; }
[ $# -gt 0 ] || set -- --instance-id --instance-type --ami-id --public-ipv4 --local-ipv4
for option in "$@"; do
    case $option in
        --instance-id) key=instance-id ;;
        --instance-type) key=instance-type ;;
        --ami-id) key=ami-id ;;
        --public-ipv4) key=public-ipv4 ;;
        --local-ipv4) key=local-ipv4 ;;
        --availability-zone) key=availability-zone ;;
        *) echo "ec2metadata: $option is not simulated" >&2; exit 1 ;;
    esac
    if [ $# -gt 1 ]; then printf '%s: %s\n' "$key" "$(value "$key")"; else value "$key"; fi
done
