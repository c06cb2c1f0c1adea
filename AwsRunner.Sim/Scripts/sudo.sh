#!/usr/bin/env bash
# sudo on a simulated node: the node's processes already run as the fleet's user, so it runs the command as it is.
set -u
while [ $# -gt 0 ]; do
    case $1 in
        --) shift; break ;;
        -u | -g | -C | -D | -h | -p | -r | -t | -T | -U) shift 2 ;;
        -*) shift ;;
        *) break ;;
    esac
done
[ $# -gt 0 ] || { echo "usage: sudo [options] command [arguments]" >&2; exit 1; }
exec "$@"
