#!/usr/bin/env bash
# The awsrunner node runner: the node's side of the contract in design.md, the same on every cloud.
# Needs only bash, coreutils, tar, gzip and curl. Lives in ~/awsrunner; the job's code is in ~/code.
#   runner.sh start install|run   start a step detached and return once it has started
#   runner.sh install | run        the steps themselves (normally started through `start`)
#   runner.sh arm SECONDS          the dead man's switch: power off after SECONDS whatever happens
#   runner.sh settle SECONDS       wait up to SECONDS for a started install to end
#   runner.sh report               state, exit codes and the tail of the relevant log, for the dispatcher
#   runner.sh log [follow]         the job's log (the install log until the job starts); follow: tail -F it
#   runner.sh poweroff             power the node off (terminates it: shutdown behaviour is terminate)
set -u

self="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/$(basename "${BASH_SOURCE[0]}")"
base="$(dirname "$self")"
code="$(dirname "$base")/code"

# node.env: what the cloud tells every node (written at create); job.env: this node's job (at dispatch).
[ -f "$base/node.env" ] && . "$base/node.env"

now() { date -u +%Y-%m-%dT%H:%M:%SZ; }
log() { printf '%s %s\n' "$(now)" "$*" >> "$base/runner.log"; }
read_state() { cat "$base/state" 2>/dev/null || echo none; }

set_state() {
    printf '%s\n' "$1" > "$base/state.tmp" && mv -f "$base/state.tmp" "$base/state"
    log "state $1"
}

json_str() {
    local s
    s=$(printf '%s' "$1" | tr -d '\000-\010\013\014\016-\037')
    s=${s//\\/\\\\}; s=${s//\"/\\\"}; s=${s//$'\n'/\\n}; s=${s//$'\r'/\\r}; s=${s//$'\t'/\\t}
    printf '"%s"' "$s"
}

# PUT one file to an upload URL (an S3 presigned URL, or file:// on the local cloud).
put() {
    local file=$1 url=$2
    [ -n "$url" ] || return 0
    curl -sS -f -H 'Expect:' --connect-timeout 10 --max-time 900 -T "$file" "$url" >> "$base/upload.log" 2>&1
}

write_heartbeat() {
    local progress="" started=""
    [ -f "$base/progress" ] && progress=$(head -c 200 "$base/progress" | head -n 1)
    [ -f "$base/started" ] && started=$(cat "$base/started")
    printf '{"time":"%s","state":"%s","index":%s,"started":%s,"progress":%s}\n' \
        "$(now)" "$(read_state)" "${AWSRUNNER_INDEX:-0}" "$(json_str "$started")" "$(json_str "$progress")" \
        > "$base/heartbeat.json.tmp"
    mv -f "$base/heartbeat.json.tmp" "$base/heartbeat.json"
    put "$base/heartbeat.json" "${AWSRUNNER_URL_HEARTBEAT:-}" || log "heartbeat upload failed"
}

heartbeat_loop() {
    while :; do
        sleep "${AWSRUNNER_HEARTBEAT_SECONDS:-60}"
        write_heartbeat
    done
}

cmd_install() {
    echo $$ > "$base/install.pid"
    set_state installing
    rm -f "$base/install_exit_code"
    local rc=0
    if [ -f "$base/INSTALL.sh" ]; then
        (cd "$code" && bash "$base/INSTALL.sh") > "$base/install.log" 2>&1 < /dev/null
        rc=$?
    else
        : > "$base/install.log"
    fi
    echo "$rc" > "$base/install_exit_code"
    if [ "$rc" -eq 0 ]; then set_state ready; else set_state install-failed; fi
}

# Local nodes share the machine: a node runs once it holds one of AWSRUNNER_SLOTS lock files (fd 9), and waits
# asleep in flock, never in a loop. The queue forms at the door: only the node at its head looks at the slots,
# and when all are taken it sleeps in one flock a slot until the first of them is released.
acquire_slot() {
    [ -n "${AWSRUNNER_SLOTS_DIR:-}" ] || return 0
    mkdir -p "$AWSRUNNER_SLOTS_DIR"
    local slots=${AWSRUNNER_SLOTS:-1} i fd
    local -a fds=() waiters=()
    exec 8> "$AWSRUNNER_SLOTS_DIR/door"
    flock 8
    for ((i = 0; i < slots; i++)); do
        exec {fd}> "$AWSRUNNER_SLOTS_DIR/slot$i"
        fds+=("$fd")
    done
    while :; do
        # A lock belongs to the open file, which the waiters share with this shell: the slot one of them got is held here.
        for fd in "${fds[@]}"; do
            if flock -n "$fd"; then
                exec 9>&"$fd"
                for fd in "${fds[@]}"; do exec {fd}>&-; done
                exec 8>&-
                return 0
            fi
        done
        waiters=()
        for fd in "${fds[@]}"; do
            flock "$fd" &
            waiters+=("$!")
        done
        wait -n
        kill "${waiters[@]}" 2> /dev/null
        wait "${waiters[@]}" 2> /dev/null
    done
}

run_command() {
    local timeout=${AWSRUNNER_TIMEOUT_SECONDS:-0}
    cd "$code" || return 126
    if [ "$timeout" -gt 0 ]; then
        timeout --kill-after=10 "$timeout" bash -c "$AWSRUNNER_COMMAND"
    else
        bash -c "$AWSRUNNER_COMMAND"
    fi
}

# The archive carries status.json and job.log as well, so that fetch needs one download per job; it takes the
# separate objects only where their content differs (a result of the same name comes later and wins here).
pack_results() {
    local members=(-C "$base" job.log status.json -C "$code" --) found=0 p
    while IFS= read -r p; do
        [ -n "$p" ] && [ -e "$code/$p" ] && members+=("$p") && found=1
    done <<< "${AWSRUNNER_RESULTS:-output}"
    # Without results, a trailing -C would only earn a warning.
    [ $found -eq 1 ] || members=(-C "$base" job.log status.json)
    tar -czf "$base/results.tar.gz" "${members[@]}"
}

# Results first, status.json last: a status.json in the bucket means everything else is there.
upload_results() {
    local deadline=$(( $(date +%s) + ${AWSRUNNER_UPLOAD_GRACE_SECONDS:-1800} )) delay=2
    local done_results=0 done_log=0
    while :; do
        [ $done_results -eq 1 ] || { put "$base/results.tar.gz" "${AWSRUNNER_URL_RESULTS:-}" && done_results=1; }
        [ $done_log -eq 1 ] || { put "$base/job.log" "${AWSRUNNER_URL_LOG:-}" && done_log=1; }
        if [ $done_results -eq 1 ] && [ $done_log -eq 1 ] && put "$base/status.json" "${AWSRUNNER_URL_STATUS:-}"; then
            return 0
        fi
        log "upload failed, retrying in ${delay}s"
        [ "$(date +%s)" -lt "$deadline" ] || return 1
        sleep "$delay"
        delay=$(( delay * 2 > 60 ? 60 : delay * 2 ))
    done
}

cmd_run() {
    echo $$ > "$base/run.pid"
    . "$base/job.env"
    export AWSRUNNER_PROGRESS="$base/progress"
    set_state queued
    # The first beat is the run's own: had the loop sent it, it could race the "running" beat below and land last,
    # leaving "queued" in the bucket for a whole interval while the job runs.
    write_heartbeat
    heartbeat_loop &
    local heartbeat=$!
    acquire_slot
    local started rc finished
    started=$(now)
    echo "$started" > "$base/started"
    set_state running
    write_heartbeat
    run_command > "$base/job.log" 2>&1 < /dev/null 9>&-
    rc=$?
    finished=$(now)
    exec 9>&-
    if [ "${AWSRUNNER_TIMEOUT_SECONDS:-0}" -gt 0 ] && { [ $rc -eq 124 ] || [ $rc -eq 137 ]; }; then
        echo "awsrunner: the job was stopped after its timeout of ${AWSRUNNER_TIMEOUT_SECONDS}s" >> "$base/job.log"
    fi
    echo "$rc" > "$base/exit_code"
    set_state uploading
    printf '{"index":%s,"job":%s,"exit_code":%s,"started":"%s","finished":"%s","host":%s}\n' \
        "${AWSRUNNER_INDEX:-0}" "$(json_str "${AWSRUNNER_JOB:-}")" "$rc" "$started" "$finished" \
        "$(json_str "$(hostname 2>/dev/null || uname -n)")" > "$base/status.json"
    # tar reads job.log, so what it says goes to the log only once the archive is written.
    pack_results 2> "$base/pack.log"
    cat "$base/pack.log" >> "$base/job.log"
    if upload_results; then
        if [ "$rc" -eq 0 ]; then set_state done; else set_state failed; fi
    else
        set_state upload-failed
    fi
    kill "$heartbeat" 2>/dev/null
    wait "$heartbeat" 2>/dev/null
    write_heartbeat
    cmd_poweroff
}

cmd_start() {
    local step=$1 state
    state=$(read_state)
    # Each step runs once: a second start (a re-run of the dispatch) only reports where the node is.
    case "$step:$state" in
        install:none | install:install-failed | run:ready) ;;
        install:* | run:queued | run:running | run:uploading | run:done | run:failed | run:upload-failed)
            echo "$state"; return 0 ;;
        run:*) echo "node is not ready to run (state: $state)" >&2; return 3 ;;
        *) echo "unknown step: $step" >&2; return 2 ;;
    esac
    rm -f "$base/$step.pid"
    if [ "$step" = install ]; then rm -f "$base/state"; state=none; fi
    # The subshell exits at once, so the step is nobody's child: ending the caller's process tree spares it.
    (setsid nohup bash "$self" "$step" < /dev/null >> "$base/runner.log" 2>&1 &)
    local i
    for ((i = 0; i < 300; i++)); do
        [ -s "$base/$step.pid" ] && [ "$(read_state)" != "$state" ] && { read_state; return 0; }
        sleep 0.1
    done
    echo "the $step step did not start within 30s (state: $(read_state))" >&2
    return 3
}

cmd_arm() {
    local seconds=$1
    if [ -s "$base/deadman.pid" ] && kill -0 "$(cat "$base/deadman.pid")" 2>/dev/null; then
        return 0
    fi
    (setsid nohup bash -c 'echo $$ > "$1"; sleep "$2"; exec bash "$3" poweroff' _ \
        "$base/deadman.pid" "$seconds" "$self" < /dev/null >> "$base/runner.log" 2>&1 &)
    log "dead man's switch armed: power-off in ${seconds}s"
}

# Lets the create learn a short INSTALL.sh's outcome from the command that started it, not from a poll round later.
cmd_settle() {
    local i state
    for ((i = 0; i < $1 * 10; i++)); do
        # read, not $(read_state): a builtin, so waiting costs no process every tenth of a second.
        read -r state < "$base/state" 2> /dev/null || state=none
        [ "$state" = installing ] || return 0
        sleep 0.1
    done
}

cmd_report() {
    local state
    state=$(read_state)
    echo "state=$state"
    echo "install_exit_code=$(cat "$base/install_exit_code" 2>/dev/null)"
    echo "exit_code=$(cat "$base/exit_code" 2>/dev/null)"
    echo "--- log"
    case "$state" in
        installing | install-failed | ready) tail -n "${1:-20}" "$base/install.log" 2>/dev/null ;;
        *) tail -n "${1:-20}" "$base/job.log" 2>/dev/null ;;
    esac
}

cmd_log() {
    local file="$base/job.log"
    if [ ! -e "$file" ]; then
        file="$base/install.log"
        [ -e "$file" ] || { echo "awsrunner: this node has no log yet (state: $(read_state))" >&2; return 3; }
        echo "awsrunner: the job has not started (state: $(read_state)); this is the install log" >&2
    fi
    if [ "${1:-}" = follow ]; then
        exec tail -n +1 -F "$file"
    fi
    exec cat "$file"
}

cmd_poweroff() {
    log "power-off"
    if [ -n "${AWSRUNNER_POWEROFF:-}" ]; then
        bash -c "$AWSRUNNER_POWEROFF"
    else
        sudo -n shutdown -h now 2>/dev/null || shutdown -h now
    fi
}

case "${1:-}" in
    start) cmd_start "${2:-}" ;;
    install) cmd_install ;;
    run) cmd_run ;;
    arm) cmd_arm "${2:?seconds}" ;;
    settle) cmd_settle "${2:?seconds}" ;;
    report) cmd_report "${2:-20}" ;;
    log) cmd_log "${2:-}" ;;
    poweroff) cmd_poweroff ;;
    *) echo "usage: runner.sh start install|run | install | run | arm SECONDS | settle SECONDS | report [LINES] | log [follow] | poweroff" >&2; exit 2 ;;
esac
