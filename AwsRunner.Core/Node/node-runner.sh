#!/usr/bin/env bash
# The awsrunner node runner: the node's side of the contract in design.md, the same on every cloud.
# Needs only bash, coreutils, tar, gzip and curl. Lives in ~/awsrunner; the job's code is in ~/code.
#   runner.sh start install|run   start a step detached and return once it has started
#   runner.sh install | run        the steps themselves (normally started through `start`)
#   runner.sh arm AT               the dead man's switch: at AT (epoch seconds) stop the job, upload what it has, power off
#   runner.sh deadline             the switch's end (normally started through `arm`)
#   runner.sh settle SECONDS       wait up to SECONDS for a started install to end
#   runner.sh report               state, exit codes and the tail of the relevant log, for the dispatcher
#   runner.sh log [follow]         the job's log (the install log until the job starts); follow: tail -F it
#   runner.sh poweroff             power the node off (terminates it: shutdown behaviour is terminate)
set -u
#@CONTRACT@

self="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/$(basename "${BASH_SOURCE[0]}")"
base="$(dirname "$self")"
code="$(dirname "$base")/code"

# node.env: what the cloud tells every node (written at create); job.env: this node's job (at dispatch);
# urls.env: where its objects go (at dispatch, and again by a re-run with fresh URLs), read before every upload.
[ -f "$base/node.env" ] && . "$base/node.env"

now() { date -u +%Y-%m-%dT%H:%M:%SZ; }

# The secrets live for the job only: every way out of it (its end, the dead man's switch, a refused start, the
# power-off) deletes them.
forget_secrets() { rm -f "$base/$FILE_SECRETS"; }
log() { printf '%s %s\n' "$(now)" "$*" >> "$base/runner.log"; }
read_state() { cat "$base/state" 2>/dev/null || echo none; }

set_state() {
    printf '%s\n' "$1" > "$base/state.tmp" && mv -f "$base/state.tmp" "$base/state"
    log "state $1"
}

# Reads at most $1 bytes on stdin and writes them as one JSON string, valid whatever the bytes: UTF-8 stays as it is
# and is cut only between characters (a character cut off at the end is left out), quotes, backslashes and control
# characters are escaped, and a byte that is not UTF-8 becomes \u00XX. Line ends at the end are left out. A job's
# progress bar of "█" or a file name in Latin-1 must never make a document the laptop reads unreadable.
json_text() {
    local -a b=()
    local out="" x c d n i=0 k need lo hi ok
    read -r -d '' -a b < <(head -c "$1" | od -An -v -tx1)
    n=${#b[@]}
    while [ "$n" -gt 0 ] && [[ ${b[n-1]} == 0[ad] ]]; do n=$((n - 1)); done
    while [ "$i" -lt "$n" ]; do
        c=$((16#${b[i]}))
        if [ "$c" -lt 128 ]; then
            case $c in
                34) out+='\"' ;;
                92) out+='\\' ;;
                10) out+='\n' ;;
                13) out+='\r' ;;
                9) out+='\t' ;;
                *)
                    if [ "$c" -lt 32 ] || [ "$c" -eq 127 ]; then printf -v x '\\u%04x' "$c"; else printf -v x "\\x${b[i]}"; fi
                    out+=$x ;;
            esac
            i=$((i + 1))
            continue
        fi
        # The lead byte says how many continuation bytes follow, and the range of the first (no overlong form, no
        # surrogate, nothing past U+10FFFF).
        need=0 lo=128 hi=191
        if [ "$c" -ge 194 ] && [ "$c" -le 223 ]; then need=1
        elif [ "$c" -eq 224 ]; then need=2 lo=160
        elif [ "$c" -eq 237 ]; then need=2 hi=159
        elif [ "$c" -ge 225 ] && [ "$c" -le 239 ]; then need=2
        elif [ "$c" -eq 240 ]; then need=3 lo=144
        elif [ "$c" -eq 244 ]; then need=3 hi=143
        elif [ "$c" -ge 241 ] && [ "$c" -le 243 ]; then need=3
        fi
        ok=$need
        for ((k = 1; ok > 0 && k <= need; k++)); do
            if [ $((i + k)) -ge "$n" ]; then
                # Cut off at the end: the character is left out whole.
                i=$n
                ok=-1
                break
            fi
            d=$((16#${b[i + k]}))
            [ "$d" -ge "$lo" ] && [ "$d" -le "$hi" ] || ok=0
            lo=128 hi=191
        done
        [ "$ok" -ge 0 ] || break
        if [ "$ok" -gt 0 ]; then
            for ((k = 0; k <= need; k++)); do printf -v x "\\x${b[i + k]}"; out+=$x; done
            i=$((i + need + 1))
        else
            printf -v x '\\u%04x' "$c"
            out+=$x
            i=$((i + 1))
        fi
    done
    printf '"%s"' "$out"
}

# The runner's own text (a host name, a time) as a JSON string, by the same rules.
json_str() { printf '%s' "$1" | json_text 65536; }

# PUT one file to the upload URL named by $2 (an S3 presigned URL, or file:// on the local cloud), read from urls.env
# now, so that fresh URLs from a re-run are used at once. The time limit grows with the file (5 minutes and a second
# per MiB) so a large archive on a slow link is not cut off midway; $3, if given, caps it. Sets put_error on failure.
# A PUT to S3 replaces the object at once; a file:// one is written beside it and renamed, so that the laptop never
# reads half a document there either (the local bucket lists no name ending in .tmp). The name aside is this
# process's own: the heartbeat loop and the run step may put the same object at once.
put() {
    local file=$1 name=$2 cap=${3:-0} url size max_time target="" aside=""
    [ -f "$base/$FILE_URLS" ] && . "$base/$FILE_URLS"
    url=${!name:-}
    [ -n "$url" ] || return 0
    size=$(stat -c %s "$file" 2> /dev/null) || size=0
    max_time=$(( 300 + size / 1048576 ))
    [ "$cap" -gt 0 ] && [ "$cap" -lt "$max_time" ] && max_time=$cap
    if [[ $url == file://* ]]; then
        target=${url#file://}
        printf -v target '%b' "${target//%/\\x}"
        aside=".$BASHPID.tmp"
        url+=$aside
    fi
    if put_error=$(curl -sS -f -H 'Expect:' --connect-timeout 10 --max-time "$max_time" -T "$file" "$url" 2>&1 >> "$base/upload.log") \
        && { [ -z "$target" ] || put_error=$(mv -f "$target$aside" "$target" 2>&1); }; then
        return 0
    fi
    printf '%s\n' "$put_error" >> "$base/upload.log"
    return 1
}

write_heartbeat() {
    local progress='""' started="" errors="" limit=${AWSRUNNER_HEARTBEAT_SECONDS:-60}
    # The first line of the progress file, of at most 200 bytes.
    [ -f "$base/progress" ] && progress=$(head -c 200 "$base/progress" | head -n 1 | json_text 200)
    [ -f "$base/started" ] && started=$(cat "$base/started")
    [ -s "$base/upload_error" ] && errors=",\"upload_error\":$(json_text 500 < "$base/upload_error")"
    [ -s "$base/poweroff_error" ] && errors+=",\"poweroff_error\":$(json_text 500 < "$base/poweroff_error")"
    printf '{"time":"%s","state":%s,"index":%s,"started":%s,"progress":%s%s}\n' \
        "$(now)" "$(json_str "$(read_state)")" "${AWSRUNNER_INDEX:-0}" "$(json_str "$started")" "$progress" "$errors" \
        > "$base/heartbeat.json.$BASHPID"
    # Aside under this process's name: the run step and its heartbeat loop may both be writing one.
    mv -f "$base/heartbeat.json.$BASHPID" "$base/heartbeat.json"
    # A beat that hangs would hold up the next: it gets one interval, and never more than 30s.
    [ "$limit" -gt 30 ] && limit=30
    put "$base/heartbeat.json" AWSRUNNER_URL_HEARTBEAT "$limit" || log "heartbeat upload failed"
}

heartbeat_loop() {
    while :; do
        sleep "${AWSRUNNER_HEARTBEAT_SECONDS:-60}"
        write_heartbeat
        [ "$(read_state)" != running ] || upload_log_tail
    done
}

# The code bundle, fetched by the node itself from the bucket (a presigned GET URL, or file:// on the local cloud),
# checked against the SHA-256 the dispatcher computed, and unpacked into the home: code/ and awsrunner/INSTALL.sh.
# Without a bundle URL the code and INSTALL.sh are taken as already in place.
fetch_bundle() {
    local file="$base/bundle.tar.gz" sum
    [ -n "${AWSRUNNER_BUNDLE_URL:-}" ] || return 0
    rm -f "$file"
    if ! curl -sS -f --connect-timeout 10 --retry 5 --retry-connrefused --max-time 3600 -o "$file" "$AWSRUNNER_BUNDLE_URL"; then
        echo "awsrunner: the code bundle could not be downloaded from the bucket"
        return 1
    fi
    sum=$(sha256sum "$file" | cut -d ' ' -f 1)
    if [ "$sum" != "${AWSRUNNER_BUNDLE_SHA256:-}" ]; then
        echo "awsrunner: the code bundle's SHA-256 is $sum, not ${AWSRUNNER_BUNDLE_SHA256:-} as expected: not installed"
        rm -f "$file"
        return 1
    fi
    # An INSTALL.sh of an earlier install must not run for a bundle that has none.
    rm -f "$base/INSTALL.sh"
    mkdir -p "$code" && tar -xzf "$file" -C "$(dirname "$base")" --no-same-owner || { echo "awsrunner: the code bundle could not be unpacked"; return 1; }
    rm -f "$file"
}

cmd_install() {
    echo $$ > "$base/install.pid"
    set_state installing
    rm -f "$base/install_exit_code"
    local rc=0
    fetch_bundle > "$base/install.log" 2>&1 < /dev/null || rc=$?
    if [ "$rc" -eq 0 ] && [ -f "$base/INSTALL.sh" ]; then
        (cd "$code" && bash "$base/INSTALL.sh") >> "$base/install.log" 2>&1 < /dev/null
        rc=$?
    fi
    echo "$rc" > "$base/install_exit_code"
    # Before the state says the install ended: a node whose install failed is terminated soon after.
    put "$base/install.log" AWSRUNNER_URL_INSTALL_LOG 60 || log "install log upload failed"
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

# The job runs in a bash of its own whose environment is built from positional parameters only: a row's variable
# may be called base, code or state without touching the runner's own, and a secret's value never appears on a
# command line. Variables and secrets come as NAME=VALUE entries separated by NUL, so a value may hold anything.
# AWSRUNNER_VARS is in the reserved prefix, so no row can name it.
run_command() {
    # A session of its own (exec: the session leader's pid is $! of the caller), so that a preemption stops the
    # job's whole process tree, and only it.
    exec setsid bash -c '
        cd "$1" || exit 126
        [ ! -f "$2" ] || { mapfile -d "" -t AWSRUNNER_VARS < "$2"; [ ${#AWSRUNNER_VARS[@]} -eq 0 ] || export "${AWSRUNNER_VARS[@]}"; }
        [ ! -f "$3" ] || { mapfile -d "" -t AWSRUNNER_VARS < "$3"; [ ${#AWSRUNNER_VARS[@]} -eq 0 ] || export "${AWSRUNNER_VARS[@]}"; }
        unset AWSRUNNER_VARS
        if [ "$4" -gt 0 ]; then exec timeout --kill-after=10 "$4" bash -c "$5"; fi
        exec bash -c "$5"' _ "$code" "$base/$FILE_VARS" "$base/$FILE_SECRETS" "${AWSRUNNER_TIMEOUT_SECONDS:-0}" "$AWSRUNNER_COMMAND"
}

# While the job runs, the tail of its log goes to the bucket at each beat when it changed, so that the log outlives
# a node that is lost or preempted. At most LOG_TAIL_BYTES a beat, however much the job prints.
upload_log_tail() {
    local seen size
    [ -f "$base/job.log" ] || return 0
    seen=$(stat -c %s.%Y "$base/job.log" 2>/dev/null) || return 0
    [ "$seen" != "$(cat "$base/log.seen" 2>/dev/null)" ] || return 0
    size=${seen%.*}
    if [ "$size" -gt "${AWSRUNNER_LOG_TAIL_BYTES:-1048576}" ]; then
        { echo "awsrunner: the last ${AWSRUNNER_LOG_TAIL_BYTES:-1048576} bytes of $size so far"; tail -c "${AWSRUNNER_LOG_TAIL_BYTES:-1048576}" "$base/job.log"; } > "$base/log.tail"
    else
        cat "$base/job.log" > "$base/log.tail"
    fi
    put "$base/log.tail" AWSRUNNER_URL_LOG 30 && printf '%s\n' "$seen" > "$base/log.seen"
}

# EC2 gives a spot instance two minutes' notice through instance metadata v2. The address comes from the node's
# settings (the simulated fleet serves its own on 127.0.0.1); where metadata is disabled and none is named, no
# request is made at all.
spot_watch() {
    local url=${AWSRUNNER_METADATA_URL:-} token
    if [ -z "$url" ]; then
        [ "${AWS_EC2_METADATA_DISABLED:-}" != true ] || return 0
        url=http://169.254.169.254
    fi
    while :; do
        sleep "${AWSRUNNER_SPOT_POLL_SECONDS:-5}"
        token=$(curl -sS -f -X PUT --connect-timeout 2 --max-time 4 -H 'X-aws-ec2-metadata-token-ttl-seconds: 300' \
            "$url/latest/api/token" 2>/dev/null) || continue
        if curl -sS -f --connect-timeout 2 --max-time 4 -H "X-aws-ec2-metadata-token: $token" \
            "$url/latest/meta-data/spot/instance-action" > "$base/instance-action.tmp" 2>/dev/null; then
            mv -f "$base/instance-action.tmp" "$base/instance-action"
            preempt
            return 0
        fi
    done
}

# SIGTERM first so the job can checkpoint (the file named by $AWSRUNNER_INTERRUPTED appears), SIGKILL after the
# grace; the run step then uploads the log and whatever results exist, as partial results of a preempted job.
preempt() {
    local job i
    log "spot interruption notice: $(cat "$base/instance-action" 2>/dev/null)"
    : > "$base/preempted"
    : > "$AWSRUNNER_INTERRUPTED"
    job=$(cat "$base/job.pid" 2>/dev/null) || return 0
    kill -TERM -- "-$job" 2>/dev/null
    for ((i = 0; i < ${AWSRUNNER_STOP_GRACE_SECONDS:-60}; i++)); do
        kill -0 -- "-$job" 2>/dev/null || return 0
        sleep 1
    done
    kill -KILL -- "-$job" 2>/dev/null
}

# Packing is a step of its own. tar writes results.tar.gz.tmp; only an archive written whole is renamed into place
# and recorded in `packed` (its size, SHA-256 and parts), and only a recorded archive is ever uploaded. A dead man's switch
# that fires while tar writes finds no record and packs again from what exists.
pack_results() {
    local members=(-C "$base" job.log -C "$code" --) found=0 p
    while IFS= read -r p; do
        [ -n "$p" ] && [ -e "$code/$p" ] && members+=("$p") && found=1
    done <<< "${AWSRUNNER_RESULTS:-output}"
    # Without results, a trailing -C would only earn a warning.
    [ $found -eq 1 ] || members=(-C "$base" job.log)
    tar -czf "$base/results.tar.gz.tmp" "${members[@]}"
}

# An archive of job.log alone, for results that cannot go up whole; what was wrong is in results_error.
pack_log_only() {
    echo "awsrunner: $1: only job.log is packed" >> "$base/pack.log"
    tar -czf "$base/results.tar.gz.tmp" -C "$base" job.log
}

# status.json: EXIT_CODE STARTED FINISHED [STATE]; the archive's size, SHA-256 and parts as packed records them, so
# that fetch can tell a damaged, truncated or incomplete archive; results_error when it does not hold every result.
write_status() {
    local extra="" size sum parts
    [ -s "$base/results_error" ] && extra+=",\"results_error\":$(json_text 2000 < "$base/results_error")"
    if read -r size sum parts 2> /dev/null < "$base/packed" && [ "$size" -gt 0 ]; then
        extra+=",\"archive\":{\"bytes\":$size,\"sha256\":\"$sum\",\"parts\":$parts,\"part_bytes\":$(part_bytes)}"
    fi
    local state=${4:-}
    # An archive that is not whole fails the job, whatever its exit code.
    [ "$state" = done ] && [ -s "$base/results_error" ] && state=failed
    [ -n "$state" ] && extra+=",\"state\":$(json_str "$state")"
    printf '{"index":%s,"job":%s,"attempt":%s,"exit_code":%s,"started":%s,"finished":"%s","host":%s%s}\n' \
        "${AWSRUNNER_INDEX:-0}" "$(json_str "${AWSRUNNER_JOB:-}")" "${AWSRUNNER_ATTEMPT:-1}" "$1" "$(json_time "$2")" "$3" \
        "$(json_str "$(hostname 2>/dev/null || uname -n)")" "$extra" > "$base/status.json.tmp"
    mv -f "$base/status.json.tmp" "$base/status.json"
}

json_time() { if [ -n "$1" ]; then printf '"%s"' "$1"; else printf null; fi; }

# An archive larger than one part goes up in parts of this size, each a plain object of its own.
part_bytes() { echo "${AWSRUNNER_RESULTS_PART_BYTES:-5368709120}"; }

# The packing step (same arguments as write_status): the archive, its record (size, SHA-256, parts), then
# status.json. A path tar cannot read fails the job (results_error says why) but what tar could read is kept, if the
# archive it wrote is whole (a full disk cuts it short). An archive larger than the parts the node has URLs for could
# never go up: job.log goes alone, and results_error says how large the results were.
pack_job() {
    local size=0 sum="" parts=0 whole=1 max=$(( $(part_bytes) * ${AWSRUNNER_RESULTS_PARTS:-1} ))
    rm -f "$base/packed" "$base/results_error" "$base/results.tar.gz" "$base/results.tar.gz.tmp"
    # tar reads job.log, so what it says goes to the log only once the archive is written.
    if ! pack_results 2> "$base/pack.log"; then
        if [ -s "$base/pack.log" ]; then cp "$base/pack.log" "$base/results_error"; else echo "tar failed" > "$base/results_error"; fi
        gzip -t "$base/results.tar.gz.tmp" 2> /dev/null || { pack_log_only "the archive tar wrote is not whole" || whole=0; }
    fi
    size=$(stat -c %s "$base/results.tar.gz.tmp" 2> /dev/null) || size=0
    if [ $whole -eq 1 ] && [ "$size" -gt "$max" ]; then
        echo "results are $size bytes, over the limit of $max (${AWSRUNNER_RESULTS_PARTS:-1} parts of $(part_bytes))" >> "$base/results_error"
        pack_log_only "results are $size bytes, over the limit of $max" || whole=0
    fi
    if [ $whole -eq 1 ]; then
        size=$(stat -c %s "$base/results.tar.gz.tmp")
        sum=$(sha256sum "$base/results.tar.gz.tmp" | cut -d ' ' -f 1)
        parts=$(( (size + $(part_bytes) - 1) / $(part_bytes) ))
        mv -f "$base/results.tar.gz.tmp" "$base/results.tar.gz"
    else
        # Not even job.log could be packed (a full disk): status.json says so, and no archive goes up.
        echo "no archive could be written" >> "$base/results_error"
        rm -f "$base/results.tar.gz.tmp"
        size=0 sum=-
    fi
    rm -rf "$base/parts.up"
    printf '%s %s %s\n' "$size" "$sum" "$parts" > "$base/packed.tmp" && mv -f "$base/packed.tmp" "$base/packed"
    write_status "$@"
    cat "$base/pack.log" >> "$base/job.log"
}

# Results first, status.json last: a status.json in the bucket means everything else is there. Only a packed archive
# goes up. The node keeps its results until they are up, retrying with backoff (at most 5 minutes apart): the dead
# man's switch caps what that costs. Past the grace period the state says upload-failed, so that status shows it, but
# the retries go on. With STOP (a time in epoch seconds) it gives up then, for the switch's own last upload.
upload_results() {
    local stop=${1:-0} grace_end=$(( $(date +%s) + ${AWSRUNNER_UPLOAD_GRACE_SECONDS:-1800} )) delay=2 cap=0
    local done_results=0 done_log=0 size sum parts
    read -r size sum parts 2> /dev/null < "$base/packed" || return 1
    [ "$size" -gt 0 ] || done_results=1
    while :; do
        [ "$stop" -gt 0 ] && { cap=$(( stop - $(date +%s) )); [ $cap -gt 0 ] || return 1; }
        if [ $done_results -eq 0 ]; then
            if [ "$parts" -le 1 ]; then
                put "$base/results.tar.gz" AWSRUNNER_URL_RESULTS $cap && done_results=1
            else
                upload_parts "$parts" $cap && done_results=1
            fi
        fi
        [ $done_log -eq 1 ] || { put "$base/job.log" AWSRUNNER_URL_LOG $cap && done_log=1; }
        if [ $done_results -eq 1 ] && [ $done_log -eq 1 ] && put "$base/status.json" AWSRUNNER_URL_STATUS $cap; then
            rm -f "$base/upload_error"
            return 0
        fi
        printf '%s\n' "$put_error" > "$base/upload_error"
        if [ "$(read_state)" = uploading ] && [ "$(date +%s)" -ge "$grace_end" ]; then
            set_state upload-failed
        fi
        log "upload failed, retrying in ${delay}s: $put_error"
        sleep "$delay"
        delay=$(( delay * 2 > 300 ? 300 : delay * 2 ))
    done
}

# The archive's parts, each cut from it just before its PUT (one part on the disk at a time, beside the archive) and
# marked in parts.up once the bucket has it, so that a retry, or the switch's last upload, sends only the rest.
upload_parts() {
    local parts=$1 cap=$2 part name
    mkdir -p "$base/parts.up"
    . "$base/$FILE_URLS"
    for ((part = 1; part <= parts; part++)); do
        [ -e "$base/parts.up/$part" ] && continue
        name=AWSRUNNER_URL_RESULTS_PART_$part
        # put takes a missing URL for an object not wanted; a part is always wanted.
        [ -n "${!name:-}" ] || { put_error="urls.env has no URL for part $part"; return 1; }
        if ! tail -c +$(( (part - 1) * $(part_bytes) + 1 )) "$base/results.tar.gz" 2> "$base/part.log" | head -c "$(part_bytes)" > "$base/results.part" 2>> "$base/part.log"; then
            put_error="part $part could not be cut from the archive: $(cat "$base/part.log")"
            rm -f "$base/results.part"
            return 1
        fi
        put "$base/results.part" "$name" "$cap" || { rm -f "$base/results.part"; return 1; }
        : > "$base/parts.up/$part"
    done
    rm -f "$base/results.part"
}

cmd_run() {
    echo $$ > "$base/run.pid"
    . "$base/$FILE_JOB_ENV"
    export AWSRUNNER_PROGRESS="$base/progress" AWSRUNNER_INTERRUPTED="$base/interrupted" AWSRUNNER_ATTEMPT="${AWSRUNNER_ATTEMPT:-1}"
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
    local watch=""
    if [ "${AWSRUNNER_SPOT:-0}" = 1 ]; then
        spot_watch &
        watch=$!
    fi
    run_command > "$base/job.log" 2>&1 < /dev/null 9>&- &
    echo $! > "$base/job.pid"
    wait $!
    rc=$?
    finished=$(now)
    exec 9>&-
    forget_secrets
    [ -z "$watch" ] || kill "$watch" 2>/dev/null
    local end=done
    [ "$rc" -eq 0 ] || end=failed
    if [ -f "$base/preempted" ]; then
        end=preempted
        echo "awsrunner: the job was stopped by a spot interruption notice; what it left is uploaded as partial results" >> "$base/job.log"
    elif [ "${AWSRUNNER_TIMEOUT_SECONDS:-0}" -gt 0 ] && { [ $rc -eq 124 ] || [ $rc -eq 137 ]; }; then
        echo "awsrunner: the job was stopped after its timeout of ${AWSRUNNER_TIMEOUT_SECONDS}s" >> "$base/job.log"
    elif [ $rc -gt 128 ]; then
        # The job's shell is not the runner's child any more, so nobody else says so.
        echo "awsrunner: the job ended on signal $(kill -l $((rc - 128)) 2>/dev/null || echo $((rc - 128)))" >> "$base/job.log"
    fi
    echo "$rc" > "$base/exit_code"
    set_state uploading
    pack_job "$rc" "$started" "$finished" "$end"
    upload_results
    if [ "$end" = done ] && [ -s "$base/results_error" ]; then end=failed; fi
    set_state "$end"
    kill "$heartbeat" 2>/dev/null
    wait "$heartbeat" 2>/dev/null
    write_heartbeat
    cmd_poweroff
}

cmd_start() {
    local step=$1 state
    # Two dispatchers may ask at once: looking at the state and starting the step are one, under a lock that the
    # next start waits for, so that it sees the step started and only reports it.
    exec 7> "$base/start.lock"
    flock 7
    state=$(read_state)
    # Each step runs once: a second start (a re-run of the dispatch) only reports where the node is.
    case "$step:$state" in
        install:none | install:install-failed | run:ready) ;;
        install:* | run:queued | run:running | run:uploading | run:done | run:failed | run:upload-failed | run:deadline | run:preempted)
            echo "$state"; return 0 ;;
        run:*) forget_secrets; echo "node is not ready to run (state: $state)" >&2; return 3 ;;
        *) echo "unknown step: $step" >&2; return 2 ;;
    esac
    rm -f "$base/$step.pid"
    if [ "$step" = install ]; then rm -f "$base/state"; state=none; fi
    # The subshell exits at once, so the step is nobody's child: ending the caller's process tree spares it.
    (setsid nohup bash "$self" "$step" < /dev/null >> "$base/runner.log" 2>&1 7>&- &)
    local i
    for ((i = 0; i < 300; i++)); do
        [ -s "$base/$step.pid" ] && [ "$(read_state)" != "$state" ] && { read_state; return 0; }
        sleep 0.1
    done
    echo "the $step step did not start within 30s (state: $(read_state))" >&2
    return 3
}

# The time is absolute (the cloud's launch time and the batch's max-hours) and counted on this node's clock, the one
# the boothook's later power-off is counted on too; the laptop's clock plays no part.
cmd_arm() {
    local at=$1 seconds
    if [ -s "$base/deadman.pid" ] && kill -0 "$(cat "$base/deadman.pid")" 2>/dev/null; then
        return 0
    fi
    seconds=$(( at - $(date +%s) ))
    [ "$seconds" -gt 0 ] || seconds=0
    (setsid nohup bash -c 'echo $$ > "$1"; sleep "$2"; exec bash "$3" deadline' _ \
        "$base/deadman.pid" "$seconds" "$self" < /dev/null >> "$base/runner.log" 2>&1 &)
    log "dead man's switch armed: the job stops in ${seconds}s, at $(date -u -d "@$at" +%Y-%m-%dT%H:%M:%SZ)"
}

# The processes of session $1, but zombies: an init that reaps nobody would keep those forever.
session_pids() {
    local f line fields pid
    for f in /proc/[0-9]*/stat; do
        read -r line 2> /dev/null < "$f" || continue
        fields=(${line##*) })
        pid=${f#/proc/}; pid=${pid%/stat}
        [ "${fields[3]}" = "$1" ] && [ "${fields[0]}" != Z ] && [ "$pid" != $$ ] && echo "$pid"
    done
}

# Ends a session and all it started: by session, since timeout puts the job in a process group of its own.
stop_session() {
    local signal pids i
    for signal in TERM KILL; do
        for ((i = 0; i < 100; i++)); do
            pids=$(session_pids "$1")
            [ -n "$pids" ] || return 0
            [ $i -eq 0 ] && kill -s "$signal" $pids 2> /dev/null
            sleep 0.1
        done
    done
}

# The switch fired: a job not yet done is stopped and what it has (log, partial results, a status.json that says
# deadline) is uploaded within DEADLINE_UPLOAD_SECONDS, then the node powers off.
cmd_deadline() {
    log "dead man's switch: time is up"
    forget_secrets
    if [ -s "$base/run.pid" ] && [[ "$(read_state)" =~ ^(queued|running|uploading|upload-failed)$ ]]; then
        # The run step first, so that it does not take the job's end for its own; the job has a session of its own.
        stop_session "$(cat "$base/run.pid")"
        [ -s "$base/job.pid" ] && stop_session "$(cat "$base/job.pid")"
        . "$base/$FILE_JOB_ENV"
        set_state deadline
        # A job that was packed whole keeps its archive and status.json; otherwise (the job still ran, or tar was
        # writing) what exists is packed now, and status.json says deadline.
        if [ ! -f "$base/packed" ]; then
            if [ -f "$base/exit_code" ]; then
                echo "awsrunner: the dead man's switch fired while the results were packed: they are packed again" >> "$base/job.log"
            else
                echo "awsrunner: the job was stopped by the dead man's switch (its node's time was up)" >> "$base/job.log"
            fi
            pack_job "$(cat "$base/exit_code" 2> /dev/null || echo null)" "$(cat "$base/started" 2> /dev/null)" "$(now)" deadline
        fi
        upload_results $(( $(date +%s) + $DEADLINE_UPLOAD_SECONDS )) || log "the last upload did not finish in time"
        write_heartbeat
    fi
    cmd_poweroff
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

# A power-off that fails (no passwordless sudo on a custom image) is said in the heartbeat, so that status shows
# it; the dispatcher then terminates the instance (Overstays), and the boothook's switch still fires.
cmd_poweroff() {
    local error
    log "power-off"
    forget_secrets
    if [ -n "${AWSRUNNER_POWEROFF:-}" ]; then
        error=$(bash -c "$AWSRUNNER_POWEROFF" 2>&1 >/dev/null) && return 0
    else
        error=$({ sudo -n shutdown -h now || shutdown -h now; } 2>&1 >/dev/null) && return 0
    fi
    printf '%s\n' "${error:-the power-off command failed}" > "$base/poweroff_error"
    log "power-off failed: $error"
    if [ -f "$base/$FILE_JOB_ENV" ]; then
        . "$base/$FILE_JOB_ENV"
        write_heartbeat
    fi
    return 1
}

case "${1:-}" in
    start) cmd_start "${2:-}" ;;
    install) cmd_install ;;
    run) cmd_run ;;
    arm) cmd_arm "${2:?time}" ;;
    deadline) cmd_deadline ;;
    settle) cmd_settle "${2:?seconds}" ;;
    report) cmd_report "${2:-20}" ;;
    log) cmd_log "${2:-}" ;;
    poweroff) cmd_poweroff ;;
    *) echo "usage: runner.sh start install|run | install | run | arm AT | deadline | settle SECONDS | report [LINES] | log [follow] | poweroff" >&2; exit 2 ;;
esac
