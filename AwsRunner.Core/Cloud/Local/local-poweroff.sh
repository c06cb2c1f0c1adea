#!/usr/bin/env bash
# Powers off a local node: marks its instance terminated and ends every process the node started.
# The runner starts each step (install, work, the dead man's switch) in a session of its own and records its pid in
# home/awsrunner/STEP.pid, and each row's job in a session of its own too (home/awsrunner/slots/S/job.pid); the
# node's processes are those, what they started, and their process groups.
# Nothing else on the machine is looked at, so the cost is the node's own processes, whatever runs beside it.
#@CONTRACT@
node="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
printf 'terminated\n' > "$node/instance-state.tmp" && mv -f "$node/instance-state.tmp" "$node/instance-state"
# An EC2 instance's disk goes with it; a local node's folder stays until down, so the job's secrets go now.
[ ! -e "$node/home/awsrunner/$FILE_SECRETS" ] || rm -f "$node/home/awsrunner/$FILE_SECRETS"
marker="AWSRUNNER_LOCAL_NODE=$node"

# A recorded pid may have ended and its number gone to another program: only a process whose environment carries
# this node's marker is the node's.
carries_marker() {
    local entry
    local -a environment=()
    mapfile -d '' environment < "/proc/$1/environ" 2> /dev/null || return 1
    for entry in "${environment[@]}"; do
        [ "$entry" = "$marker" ] && return 0
    done
    return 1
}

# Stops a process and, depth first, everything below it (a stopped process cannot fork). This script and its own
# children are left out, and its ancestors are not stopped: they end last, with their group. Prints what it stopped.
stop_tree() {
    local pid=$1 child task
    local -a children
    [ "$pid" = "$$" ] && return 0
    if [ -z "${keep[$pid]:-}" ]; then
        kill -STOP "$pid" 2> /dev/null || return 0
        echo "$pid"
    fi
    for task in /proc/"$pid"/task/*/children; do
        # The list has no line end, so read fails even when it has filled the array.
        children=()
        read -r -a children < "$task" 2> /dev/null
        for child in "${children[@]}"; do stop_tree "$child"; done
    done
}

declare -A keep=()
pid=$$
while [ "$pid" -gt 1 ]; do
    keep[$pid]=1
    read -r _ _ _ pid _ < "/proc/$pid/stat" || break
done

declare -A stopped=()
groups=()
for file in "$node"/home/awsrunner/*.pid "$node"/home/awsrunner/"$DIR_SLOTS"/*/"$FILE_JOB_PID"; do
    read -r leader < "$file" 2> /dev/null || continue
    [[ $leader =~ ^[0-9]+$ ]] && carries_marker "$leader" || continue
    groups+=("$leader")
    # Twice: a process may have forked between being listed and being stopped.
    for _ in 1 2; do
        while read -r pid; do stopped[$pid]=1; done < <(stop_tree "$leader")
    done
done

for pid in "${!stopped[@]}"; do kill -KILL "$pid" 2> /dev/null; done
# What left its parent but stayed in a step's process group goes with the group; this script's own group goes last.
read -r _ _ _ _ own_group _ < "/proc/$$/stat"
for leader in "${groups[@]}"; do
    [ "$leader" = "$own_group" ] || kill -KILL -- "-$leader" 2> /dev/null
done
for leader in "${groups[@]}"; do
    [ "$leader" = "$own_group" ] && kill -KILL -- "-$leader" 2> /dev/null
done
exit 0
