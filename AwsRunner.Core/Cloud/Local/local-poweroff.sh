#!/usr/bin/env bash
# Powers off a local node: marks its instance terminated and ends every process the node started.
# Each of them carries AWSRUNNER_LOCAL_NODE in its environment (set by the local shell and inherited),
# which finds them even when their session leader is gone, and never matches anything else.
node="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
printf 'terminated\n' > "$node/instance-state.tmp" && mv -f "$node/instance-state.tmp" "$node/instance-state"
marker="AWSRUNNER_LOCAL_NODE=$node"
unset AWSRUNNER_LOCAL_NODE
# Twice, because a process can fork while the first pass is under way.
for _ in 1 2; do
    for environ in /proc/[0-9]*/environ; do
        pid=${environ#/proc/}; pid=${pid%/environ}
        [ "$pid" = "$$" ] && continue
        if { tr '\0' '\n' < "$environ"; } 2>/dev/null | grep -qxF -- "$marker"; then
            kill -KILL "$pid" 2>/dev/null
        fi
    done
done
exit 0
