#!/usr/bin/env bash
# The fan-out measurement's parallel-ssh side: what a user of Debian's pssh writes to do awsrunner's create and
# dispatch on nodes that are already running. Prints "step NAME SECONDS" on stderr after each step.
# Usage: pssh-fan-out.sh METHOD PARALLEL HOSTS SSH_CONFIG KEY USER BUNDLE SOURCE JOB
#   METHOD   tar: parallel-scp the bundle (code/ and INSTALL.sh, tar.gz), then parallel-ssh unpack and INSTALL.sh
#            scp-r: parallel-scp -r code/ and INSTALL.sh, then parallel-ssh INSTALL.sh
#            stdin: parallel-ssh -I, the bundle on standard input, unpacked and INSTALL.sh run in the same session
#   SOURCE   the folder that holds code/ and INSTALL.sh; BUNDLE is them as a tar.gz, made beforehand (as awsrunner does)
set -euo pipefail
method=$1 parallel=$2 hosts=$3 config=$4 key=$5 user=$6 bundle=$7 source=$8 job=$9
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# -t 0: no per-host time limit (pssh's default of 60 s would cut a slow upload on a busy machine).
common=(-p "$parallel" -t 0 -l "$user" -O BatchMode=yes -O IdentitiesOnly=yes -O StrictHostKeyChecking=no
    -O UserKnownHostsFile=/dev/null -O LogLevel=ERROR)
ssh_args="-F '$config' -i '$key'"
pssh() { parallel-ssh -h "$hosts" "${common[@]}" -x "$ssh_args" "$@"; }
# The fleet's sshd has no sftp subsystem (every session goes through a forced command), so scp speaks its original
# protocol (-O); pssh's parallel-scp itself always adds -C (compression).
pscp() { parallel-scp -h "$hosts" "${common[@]}" -x "-O $ssh_args" "$@"; }

last=$(date +%s%N)
step() {
    local now
    now=$(date +%s%N)
    echo "step $1 $(( (now - last) / 1000000 ))" >&2
    last=$now
}

# Instances that run are not yet nodes that answer: ask every node until each has answered once, as awsrunner does.
pending=$work/pending
cp "$hosts" "$pending"
for _ in $(seq 1 120); do
    parallel-ssh -h "$pending" "${common[@]}" -x "$ssh_args" true > "$work/out" || true
    awk '$3 == "[FAILURE]" { print $4 }' "$work/out" > "$work/next"
    mv "$work/next" "$pending"
    [ -s "$pending" ] || break
    sleep 1
done
if [ -s "$pending" ]; then
    echo "never answered: $(tr '\n' ' ' < "$pending")" >&2
    exit 1
fi
step reachable

case $method in
    tar)
        pscp "$bundle" bundle.tgz > /dev/null
        step upload
        pssh 'tar xzf bundle.tgz && bash INSTALL.sh' > /dev/null
        step install ;;
    scp-r)
        pscp -r "$source/code" "$source/INSTALL.sh" . > /dev/null
        step upload
        pssh 'bash INSTALL.sh' > /dev/null
        step install ;;
    stdin)
        pssh -I 'tar xzf - && bash INSTALL.sh' < "$bundle" > /dev/null
        step upload+install ;;
    *)
        echo "unknown method $method" >&2
        exit 2 ;;
esac

# Detached the usual way; "cd code || exit" keeps the background job a plain command, not a subshell holding the session open.
pssh "cd code || exit 1; setsid nohup bash -c $(printf %q "$job") > job.log 2>&1 < /dev/null &" > /dev/null
step start
