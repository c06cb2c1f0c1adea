#!/usr/bin/env bash
# The awsrunner node runner: the node's side of the contract in design.md, the same on every cloud. A node takes the
# rows of its instance type from the batch's queue in the bucket, runs them, uploads each row's results and powers
# off when none is left for it. Needs only bash, coreutils, tar, gzip, curl, flock, find and sed. Lives in
# ~/awsrunner; the code is in ~/code.
#   runner.sh start install|work   start a step detached and return once it has started
#   runner.sh install | work        the steps themselves (normally started through `start`)
#   runner.sh arm AT                the dead man's switch: at AT (epoch seconds) stop every row, upload what each has, power off
#   runner.sh time-up               the switch's end (normally started through `arm`)
#   runner.sh settle SECONDS        wait up to SECONDS for a started install to end
#   runner.sh report [LINES [ROW]]  state, exit codes and the tail of the relevant log, for the dispatcher
#   runner.sh log [follow] [ROW]    a row's log (the last row run when none is given; the install log before any)
#   runner.sh poweroff              stop every running row (its log and results uploaded), then power the node off
set -u
#@CONTRACT@

self="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/$(basename "${BASH_SOURCE[0]}")"
base="$(dirname "$self")"
code="$(dirname "$base")/code"
# Where a failed upload's message is kept: each process that uploads names its own.
errfile="$base/put.err"
# Row folders a node makes at once, as its walk reaches them (row_folders).
readonly ROW_FOLDERS=32

# node.env: what the cloud tells every node (written at create). work.env and queue.env: this node's work (at
# dispatch). A row's own files are in rows/NNNN/: job.env (index, attempt, slot), urls.env (read before each upload).
[ -f "$base/node.env" ] && . "$base/node.env"

# The runner's own tools run in the C locale: loading a locale is some thirty files opened for every process, many
# processes a row. tar keeps the node's (its messages name files as the job's locale spells them), and the job gets
# the node's environment as it is: job_locale says what LC_ALL was (- when it was not set).
plain() { LC_ALL=C "$@"; }
node_lc_all=${LC_ALL-}
job_locale=${LC_ALL+=$LC_ALL}
job_locale=${job_locale:--}

# Times without a process: stamp VAR sets VAR to the time in UTC (ISO 8601), epoch VAR to seconds since 1970.
stamp() { TZ=UTC printf -v "$1" '%(%Y-%m-%dT%H:%M:%SZ)T' -1; }
epoch() { printf -v "$1" '%(%s)T' -1; }

# The work step keeps the log open (logfd) for itself and its rows' processes: a line is one write, no open.
log() {
    local at
    stamp at
    if [ -n "${logfd:-}" ]; then
        printf '%s %s\n' "$at" "$*" >&"$logfd"
    else
        printf '%s %s\n' "$at" "$*" >> "$base/runner.log"
    fi
}

# The secrets live for the node's work only: every way out of it (every row ended, the dead man's switch, a spot
# notice, a power-off, a refused start) deletes them.
forget_secrets() { [ ! -e "$base/$FILE_SECRETS" ] || rm -f "$base/$FILE_SECRETS"; }

# word VAR FILE: the first word of FILE, or none when it has none.
word() {
    local _word=""
    { read -r _word _ < "$2"; } 2> /dev/null
    printf -v "$1" '%s' "${_word:-none}"
}

# Whether the word $1 is one of the space-separated words $2.
one_of() { [[ " $2 " == *" $1 "* ]]; }

# The node's state is read by the dispatcher over SSH: written beside its place and renamed into it.
set_node_state() {
    printf '%s\n' "$1" > "$base/state.tmp" && mv -f "$base/state.tmp" "$base/state"
    log "state $1"
}

# A row's state, read by the row's own processes and by report: a word written in one go.
set_row_state() {
    printf '%s\n' "$1" > "$row/state"
    log "row $row_name: $1"
}

# read_row FOLDER: a row's record, its job.env, sourced: AWSRUNNER_INDEX, AWSRUNNER_ATTEMPT and AWSRUNNER_SLOT, then
# lines the row's process adds as the row goes on, each a line appended (one file a row, not a file a fact: on a disk
# that has just deleted many files each new file costs a scan): row_started, row_exit (the job's exit code),
# row_packed (the archive's size, SHA-256, parts, first part and the row's outcome, once packed whole) and row_up
# (everything is in the bucket). A later line wins.
read_row() {
    row_started="" row_exit="" row_packed="" row_up=""
    . "$1/$FILE_JOB_ENV"
}

# record NAME VALUE: a line of the row's record, and the variable set in this process too.
record() {
    printf '%s=%q\n' "$1" "$2" >> "$row/$FILE_JOB_ENV"
    printf -v "$1" '%s' "$2"
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

# json_str VAR TEXT: the runner's own text (a state, a time, a host name) as a JSON string in VAR, by the same rules.
# Text of plain characters only, the usual case, is quoted as it is, without a process.
json_plain='abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 ._:/@+=,-'
json_str() {
    if [ -z "${2//[$json_plain]/}" ]; then
        printf -v "$1" '"%s"' "$2"
    else
        printf -v "$1" '%s' "$(printf '%s' "$2" | json_text 65536)"
    fi
}

# A file:// URL's path, its %XX escapes decoded, into VAR.
file_path() {
    local _path=${2#file://}
    printf -v "$1" '%b' "${_path//%/\\x}"
}

# put FILE URL [CAP [text|once]]: PUT a file to an upload URL (an S3 presigned URL, or file:// on the local cloud). No
# URL: an object not wanted, nothing to do. The time limit grows with the file (5 minutes and a second per MiB) so
# that a large archive on a slow link is not cut off midway; CAP, if given, caps it. Sets put_error on failure. A PUT
# to S3 replaces the object at once; a file:// one is copied beside it under this process's own name and renamed, so
# that the laptop never reads half an object there either (the local bucket lists no name ending in .tmp). A document
# of the runner's own (text: no NUL) is copied by the shell itself. A file the runner never writes again (once: the
# archive, the final job.log, status.json, the .done) goes in as a second name of the same file when the object does
# not exist yet: it appears whole at once, as a rename would make it, for one process instead of two.
put() {
    local file=$1 url=$2 cap=${3:-0} size max_time target aside text=""
    [ -n "$url" ] || return 0
    if [[ $url == file://* ]]; then
        file_path target "$url"
        aside="$target.$BASHPID.tmp"
        if [ "${4:-}" = once ] && [ ! -e "$target" ] && plain ln -- "$file" "$target" 2> /dev/null; then
            return 0
        elif [ "${4:-}" = text ]; then
            IFS= read -r -d '' text < "$file"
            { printf '%s' "$text" > "$aside"; } 2> "$errfile" && plain mv -f -- "$aside" "$target" 2> "$errfile" && return 0
        elif plain cp -f -- "$file" "$aside" 2> "$errfile" && plain mv -f -- "$aside" "$target" 2> "$errfile"; then
            return 0
        fi
        IFS= read -r -d '' put_error < "$errfile"
        put_error=${put_error%$'\n'}
        [ ! -e "$aside" ] || rm -f -- "$aside"
        return 1
    fi
    size=$(stat -c %s "$file" 2> /dev/null) || size=0
    max_time=$(( 300 + size / 1048576 ))
    [ "$cap" -gt 0 ] && [ "$cap" -lt "$max_time" ] && max_time=$cap
    if curl -sS -f -o /dev/null -H 'Expect:' --connect-timeout 10 --max-time "$max_time" -T "$file" "$url" 2> "$errfile"; then
        return 0
    fi
    IFS= read -r -d '' put_error < "$errfile"
    put_error=${put_error%$'\n'}
    return 1
}

# row_put FILE NAME [CAP [text]]: PUT a row's file to its attempt's URL named NAME, read from the row's urls.env now,
# so that URLs replaced there are used at once.
row_put() {
    . "$row/$FILE_URLS"
    put "$1" "${!2:-}" "${3:-0}" "${4:-}"
}

# The row's heartbeat: its lease. Rewritten at every beat while the row is at work; the bucket's clock judges its age.
write_heartbeat() {
    local state progress='""' started="" errors="" limit=${AWSRUNNER_HEARTBEAT_SECONDS:-60} at state_json started_json node_json
    word state "$row/state"
    # The first line of the progress file, of at most 200 bytes.
    [ -f "$row/progress" ] && progress=$(head -c 200 "$row/progress" | head -n 1 | json_text 200)
    started=${row_started:-}
    [ -s "$row/upload_error" ] && errors=",\"upload_error\":$(json_text 500 < "$row/upload_error")"
    [ -s "$base/poweroff_error" ] && errors+=",\"poweroff_error\":$(json_text 500 < "$base/poweroff_error")"
    stamp at
    json_str state_json "$state"
    json_str started_json "$started"
    json_str node_json "${AWSRUNNER_NODE:-}"
    printf '{"time":"%s","state":%s,"index":%s,"attempt":%s,"node":%s,"runner":%s,"started":%s,"progress":%s%s}\n' \
        "$at" "$state_json" "${AWSRUNNER_INDEX:-0}" "${AWSRUNNER_ATTEMPT:-1}" "$node_json" "$RUNNER_VERSION" "$started_json" \
        "$progress" "$errors" > "$base/$DIR_SLOTS/${AWSRUNNER_SLOT:-1}/heartbeat.json"
    # A beat that hangs would hold up the next: it gets one interval, and never more than 30s.
    [ "$limit" -gt 30 ] && limit=30
    row_put "$base/$DIR_SLOTS/${AWSRUNNER_SLOT:-1}/heartbeat.json" AWSRUNNER_URL_HEARTBEAT "$limit" text || log "row $row_name: a heartbeat did not go up: $put_error"
}

# Every beat, each row at work on this node renews its lease (its heartbeat), and the tail of a running row's log
# goes up when it changed. One loop for the node, however many slots it has.
heartbeat_loop() {
    local marker name state
    errfile="$base/beat.err"
    while :; do
        sleep "${AWSRUNNER_HEARTBEAT_SECONDS:-60}"
        for marker in "$base/$DIR_SLOTS"/*/row; do
            name=""
            { read -r name < "$marker"; } 2> /dev/null
            [ -n "$name" ] || continue
            row="$base/$DIR_ROWS/$name" row_name=$name
            read_row "$row"
            [ -z "$row_up" ] || continue
            word state "$row/state"
            one_of "$state" "$STATES_AT_WORK" || continue
            write_heartbeat
            [ "$state" != "$STATE_RUNNING" ] || upload_log_tail
        done
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
    set_node_state "$STATE_INSTALLING"
    rm -f "$base/install_exit_code"
    local rc=0
    fetch_bundle > "$base/install.log" 2>&1 < /dev/null || rc=$?
    if [ "$rc" -eq 0 ] && [ -f "$base/INSTALL.sh" ]; then
        (cd "$code" && bash "$base/INSTALL.sh") >> "$base/install.log" 2>&1 < /dev/null
        rc=$?
    fi
    echo "$rc" > "$base/install_exit_code"
    # Before the state says the install ended: a node whose install failed is terminated soon after.
    put "$base/install.log" "${AWSRUNNER_URL_INSTALL_LOG:-}" 60 || log "the install log did not go up: $put_error"
    if [ "$rc" -eq 0 ]; then set_node_state "$STATE_READY"; else set_node_state "$STATE_INSTALL_FAILED"; fi
}

# The type's shards, fetched once (a presigned GET, or straight from the local bucket's file) and unpacked into
# queue/: a file per row (its command, variables and each attempt's URLs, fields ended by NUL) and the shard's index.
# Then the walk's order, from the indexes: the rows by index, and each row's first and last attempt of this run.
fetch_queue() {
    local i var url path name first last
    rm -rf "$base/queue" && mkdir -p "$base/queue" "$base/$DIR_ROWS" || return 1
    rows=() first_attempt=() last_attempt=() position=()
    for ((i = 1; i <= ${AWSRUNNER_SHARDS:-0}; i++)); do
        var=AWSRUNNER_SHARD_$i
        url=${!var:-}
        if [[ $url == file://* ]]; then
            file_path path "$url"
        else
            path="$base/shard.tar.gz"
            curl -sS -f --connect-timeout 10 --retry 5 --retry-connrefused --max-time 900 -o "$path" "$url" \
                || { echo "awsrunner: shard $i of the queue could not be downloaded"; return 1; }
        fi
        tar -xzf "$path" -C "$base/queue" --no-same-owner || { echo "awsrunner: shard $i of the queue could not be unpacked"; return 1; }
        [ "$path" != "$base/shard.tar.gz" ] || rm -f "$path"
        # Shards come in row order, and rows in a shard too: the index read shard by shard is the type's rows in order.
        while read -r name first last; do
            position[$name]=${#rows[@]}
            first_attempt[${#rows[@]}]=$first last_attempt[${#rows[@]}]=$last
            rows+=("$name")
        done < "$base/queue/$FILE_SHARD_INDEX" || { echo "awsrunner: shard $i of the queue has no index"; return 1; }
    done
}

# attempt_urls ROW ATTEMPT: that attempt's URLs (the urls.env text) from the row's file of the shard, into urls. The
# row's fields: the command, the number of variables, the variables, then attempts and their URLs.
attempt_urls() {
    local k
    local -a fields=()
    mapfile -d '' -t fields < "$base/queue/$1" || return 1
    for ((k = 2 + ${fields[1]:-0}; k + 1 < ${#fields[@]}; k += 2)); do
        [ "${fields[k]}" != "$2" ] || { urls=${fields[k + 1]}; return 0; }
    done
    return 1
}

# claim URL CONTENT: create the attempt's claim object only if it does not exist (S3: a PUT with If-None-Match: *,
# both signed headers sent exactly; the local bucket: an exclusive create). Sets claim to won, taken, again (409: S3
# says try the same again) or error.
claim_put() {
    local path status
    if [[ $1 == file://* ]]; then
        file_path path "$1"
        set -C
        if { printf '%s' "$2" > "$path"; } 2> /dev/null; then
            claim=won
        elif [ -e "$path" ]; then
            claim=taken
        else
            claim=error
            log "the claim $path could not be created"
        fi
        set +C
        return 0
    fi
    status=$(curl -sS -o /dev/null -w '%{http_code}' -X PUT -H 'If-None-Match: *' -H 'Content-Type: application/octet-stream' \
        -H 'Expect:' --data-binary "$2" --connect-timeout 10 --max-time 30 "$1" 2> "$errfile")
    case $status in
        200) claim=won ;;
        412) claim=taken ;;
        # A conflict with another claimer, a server's error or no answer: the claim is tried again.
        409 | 5?? | 000) claim=again ;;
        *) claim=error; log "a claim was refused (HTTP $status)" ;;
    esac
}

# try_claim SLOT ROW ATTEMPT: claim that attempt of the row for this slot, trying again after a conflict (a claim whose
# answer was lost and comes back taken is then its own: its lease runs out unrenewed and the row goes on elsewhere).
try_claim() {
    local tries urls
    attempt_urls "$2" "$3" || { claim=error; log "row $2 has no attempt $3 in its shard"; return 0; }
    eval "$urls"
    for ((tries = 1; ; tries++)); do
        claim_put "$AWSRUNNER_URL_CLAIM" "node=${AWSRUNNER_NODE:-} slot=$1"
        [ "$claim" = again ] && [ "$tries" -lt 5 ] || break
        sleep "$tries"
    done
    [ "$claim" != again ] || claim=error
}

# The fast path: walk the type's rows from the node's first, wrapping, once, each row not seen claimed getting a PUT of
# its first attempt's claim. A row seen taken is skipped from then on; one whose claim failed is left to the slow path.
fast_claim() {
    local i
    while [ "$walked" -lt ${#rows[@]} ]; do
        i=$(( (walk_first + walked) % ${#rows[@]} ))
        walked=$((walked + 1))
        [ -z "${seen[i]:-}" ] || continue
        try_claim "$1" "${rows[i]}" "${first_attempt[i]}"
        case $claim in
            won) seen[i]=1 claimed_at=$i claimed_row=${rows[i]} claimed_attempt=${first_attempt[i]}; return 0 ;;
            taken) seen[i]=1 ;;
        esac
    done
    return 1
}

# note KEY STALE VALUE: one object of NAME/queue/rows/ (KEY relative to it, 0007/3.claim), whether it is older than the
# lease, and for a .done where its word is (the local file, or md5:ETAG). Only attempts of this run's rows count.
note() {
    local name=${1%%/*} file=${1#*/} attempt i
    attempt=${file%%.*}
    i=${position[$name]:-}
    [ -n "$i" ] && [[ $attempt =~ ^[0-9]+$ ]] || return 0
    [ "$attempt" -ge "${first_attempt[i]}" ] && [ "$attempt" -le "${last_attempt[i]}" ] || return 0
    case ${file#*.} in
        claim)
            listed_claim[$name/$attempt]=$2
            [ "$attempt" -le "${listed_top[$name]:-0}" ] || listed_top[$name]=$attempt ;;
        heartbeat.json) listed_beat[$name/$attempt]=$2 ;;
        done) listed_done[$name/$attempt]=$3 ;;
    esac
}

# The local bucket's folder, read with find (mapfile reads its answer in blocks, read would take a call a byte), its
# times against this machine's clock (the bucket's own).
list_folder() {
    local folder line key at now
    local -a lines=()
    file_path folder "$1"
    epoch now
    mapfile -t lines < <(find "$folder" -mindepth 2 -maxdepth 2 -type f ! -name '*.tmp' -printf '%P %T@\n' 2> /dev/null)
    for line in "${lines[@]}"; do
        key=${line% *} at=${line##* }
        note "$key" $(( ${at%.*} < now - ${AWSRUNNER_LEASE_SECONDS:-190} )) "$folder/$key"
    done
}

# One LIST page from S3 (ListObjectsV2's XML, read with sed): each object's LastModified against the Date of the same
# response, the bucket's clock, never this node's.
list_page() {
    local headers="$base/list.headers" page="$base/list.xml" line date="" limit key modified etag
    local -a lines=()
    curl -sS -f --connect-timeout 10 --max-time 120 --retry 3 -D "$headers" -o "$page" "$1" 2> "$errfile" \
        || { log "a LIST of the queue did not answer: $(< "$errfile")"; return 1; }
    while IFS= read -r line; do
        line=${line%$'\r'}
        [[ ${line,,} != date:* ]] || date=${line#*:}
    done < "$headers"
    limit=$(date -u -d "$date ${AWSRUNNER_LEASE_SECONDS:-190} seconds ago" +%Y%m%d%H%M%S 2> /dev/null) \
        || { log "a LIST of the queue came without a Date: $date"; return 1; }
    mapfile -t lines < <(sed -e 's/<Contents>/\n/g' "$page" \
        | sed -n -e 's/.*<Key>\([^<]*\)<\/Key><LastModified>\([^<]*\)<\/LastModified><ETag>\([^<]*\)<\/ETag>.*/\1 \2 \3/p')
    for line in "${lines[@]}"; do
        key=${line%% *} etag=${line##* } modified=${line#* }
        modified=${modified%% *}
        modified=${modified//[!0-9]/}
        etag=${etag//&quot;/}
        note "${key#*/queue/rows/}" $(( 10#${modified:0:14} < 10#$limit )) "md5:${etag//\"/}"
    done
}

# S3's ETag of an object written in one PUT is its content's MD5: the LIST tells a .done worth another attempt by it,
# with no GET. The MD5s of every such line ("preempted 143", "failed 75"), worked out once, with one process.
retry_sums() {
    local folder="$base/retry-lines" state code n=0 sum
    [ -z "${retry_sums_known:-}" ] || return 0
    retry_sums_known=1
    mkdir -p "$folder" || return 0
    for state in ${AWSRUNNER_RETRY_STATES:-}; do
        printf '%s -\n' "$state" > "$folder/$((n++))"
        for ((code = 0; code < 256; code++)); do printf '%s %s\n' "$state" "$code" > "$folder/$((n++))"; done
    done
    for code in ${AWSRUNNER_RETRY_ON_EXIT:-}; do printf '%s %s\n' "$STATE_FAILED" "$code" > "$folder/$((n++))"; done
    [ "$n" -gt 0 ] || return 0
    while read -r sum _; do retry_sum[$sum]=1; done < <(cd "$folder" && md5sum -- *)
}

# Whether an attempt's .done (as the LIST found it) asks for the next attempt at once.
worth_retry() {
    local where=$1 state code
    if [[ $where == md5:* ]]; then
        retry_sums
        [ -n "${retry_sum[${where#md5:}]:-}" ]
        return
    fi
    { read -r state code < "$where"; } 2> /dev/null || return 1
    one_of "$state" "${AWSRUNNER_RETRY_STATES:-}" && return 0
    [ "$state" = "$STATE_FAILED" ] && one_of "$code" "${AWSRUNNER_RETRY_ON_EXIT:-}"
}

# The slow path, once the fast path found nothing: LIST every page, and for each row its highest claimed attempt K of
# this run. K is over and asks for another (its .done), or its lease ran out (its heartbeat, or without one its claim,
# older than the lease on the bucket's clock, and no .done): K+1 is claimable, if the shard has it. A row with none
# left stays as it ended. Sets elsewhere when rows of the type are still at work on other nodes.
slow_claim() {
    local i n name top url var stale lost candidate
    local -a candidates=()
    while :; do
        listed_top=() listed_claim=() listed_beat=() listed_done=() candidates=() elsewhere=0
        for ((n = 1; n <= ${AWSRUNNER_LISTS:-0}; n++)); do
            var=AWSRUNNER_LIST_$n
            url=${!var:-}
            if [[ $url == file://* ]]; then
                list_folder "$url"
            else
                # Without the whole list nothing can be decided: look again later.
                list_page "$url" || { elsewhere=1; return 1; }
            fi
        done
        for ((n = 0; n < ${#rows[@]}; n++)); do
            i=$(( (walk_first + n) % ${#rows[@]} ))
            name=${rows[i]}
            top=${listed_top[$name]:-}
            if [ -z "$top" ]; then
                candidates+=("$i ${first_attempt[i]}")
                continue
            fi
            [ "${ours[$name]:-}" != "$top" ] || continue
            if [ -n "${listed_done[$name/$top]:-}" ]; then
                worth_retry "${listed_done[$name/$top]}" || continue
            else
                stale=${listed_beat[$name/$top]:-${listed_claim[$name/$top]}}
                [ "$stale" = 1 ] || { elsewhere=1; continue; }
            fi
            [ "$top" -ge "${last_attempt[i]}" ] || candidates+=("$i $((top + 1))")
        done
        lost=0
        for candidate in "${candidates[@]}"; do
            i=${candidate% *}
            try_claim "$1" "${rows[i]}" "${candidate#* }"
            case $claim in
                won) claimed_at=$i claimed_row=${rows[i]} claimed_attempt=${candidate#* }; return 0 ;;
                taken) lost=1 ;;
                error) elsewhere=1 ;;
            esac
        done
        # Another node took what this one saw: the queue moved on, look at it again.
        [ "$lost" -eq 1 ] || return 1
    done
}

# The next claimable (row, attempt) for a slot: the fast path, then the slow one. Nothing after a spot notice.
next_claim() {
    elsewhere=0
    [ ! -e "$base/preempted" ] || return 1
    fast_claim "$1" || slow_claim "$1"
}

# Folders for the claimed row and the next rows of the walk, ROW_FOLDERS at a time: a process for each row's folder
# costs more than the few folders a node makes for rows that another node then runs.
row_folders() {
    local n
    local -a folders=()
    for ((n = 0; n < ROW_FOLDERS && n < ${#rows[@]}; n++)); do
        folders+=("$base/$DIR_ROWS/${rows[(claimed_at + n) % ${#rows[@]}]}")
    done
    mkdir -p -- "${folders[@]}"
}

# start_row SLOT: the claimed row's folder (its attempt's job.env and urls.env), the slot's marker that the node's beat,
# its spot watch and its switch go by, then the row runs in a process of its own. A row's folder holds files that
# outlive the row only: what lasts a row's run alone (its job's pid, its node-side heartbeat, tar's and curl's
# messages) is kept in the slot's folder, written over by the slot's next row.
start_row() {
    local slot=$1 name=$claimed_row attempt=$claimed_attempt urls=""
    row="$base/$DIR_ROWS/$name" row_name=$name
    # A row run again here (its next attempt) starts from an empty folder.
    if [ -e "$row/$FILE_JOB_ENV" ]; then
        rm -rf "$row" && mkdir -p "$row"
    elif [ ! -d "$row" ]; then
        row_folders
    fi
    printf 'export AWSRUNNER_INDEX=%s\nexport AWSRUNNER_ATTEMPT=%s\nAWSRUNNER_SLOT=%s\n' "$((10#$name))" "$attempt" "$slot" > "$row/$FILE_JOB_ENV"
    attempt_urls "$name" "$attempt"
    printf '%s' "$urls" > "$row/$FILE_URLS"
    set_row_state "$STATE_QUEUED"
    : > "$base/$DIR_SLOTS/$slot/$FILE_JOB_PID"
    printf '%s\n' "$name" > "$base/$DIR_SLOTS/$slot/row"
    printf '%s\n' "$name" > "$base/last"
    [ "${AWSRUNNER_SLOTS:-1}" -eq 1 ] || [ -d "$base/$DIR_SLOTS/$slot/code" ] || cp -a "$code" "$base/$DIR_SLOTS/$slot/code"
    ours[$name]=$attempt
    slot_row[slot]=$name
    log "slot $slot: row $name, attempt $attempt"
    run_row "$slot" "$name" &
    slot_pid[slot]=$!
    slot_busy[slot]=1
}

# The folder a row's job works in: ~/code with one slot, the slot's own copy of it with several.
work_folder() {
    if [ "${AWSRUNNER_SLOTS:-1}" -eq 1 ]; then work=$code; else work="$base/$DIR_SLOTS/$1/code"; fi
}

# The result paths are emptied before each row, so that a row's results are its own. A folder keeps itself and loses
# what is in it; the code folder itself (a result path of ".") is never emptied.
empty_results() {
    local p path
    local -a files=() folders=() inside=()
    while IFS= read -r p; do
        p=${p#./}
        p=${p%/}
        [ -n "$p" ] && [ "$p" != . ] || continue
        path="$work/$p"
        if [ -d "$path" ] && [ ! -L "$path" ]; then
            shopt -s nullglob
            inside=("$path"/* "$path"/.[!.]* "$path"/..?*)
            shopt -u nullglob
            [ ${#inside[@]} -eq 0 ] || folders+=("$path")
        elif [ -e "$path" ] || [ -L "$path" ]; then
            files+=("$path")
        fi
    done <<< "${AWSRUNNER_RESULTS:-output}"
    [ ${#files[@]} -eq 0 ] || rm -f -- "${files[@]}"
    [ ${#folders[@]} -eq 0 ] || find "${folders[@]}" -mindepth 1 -delete
}

# The job runs in a bash of its own whose environment is built from positional parameters only: a row's variable
# may be called base, code or state without touching the runner's own, and a secret's value never appears on a
# command line. Variables (in the row's file of the shard, after the command and their number) and secrets come as
# NAME=VALUE entries separated by NUL, so a value may hold anything.
# AWSRUNNER_VARS is in the reserved prefix, so no row can name it: it carries the command to its eval, which unsets it
# first, so that the command runs in that same bash (a process less a row) with no variable and no parameter of it.
run_command() {
    # A session of its own (exec: the session leader's pid is $! of the caller), so that a preemption stops the
    # job's whole process tree, and only it. This is a process of its own already: LC_ALL is the job's again in it.
    export LC_ALL=C
    exec setsid "$BASH" -c '
        if [ "$6" = - ]; then unset LC_ALL; else export LC_ALL="${6#=}"; fi
        cd "$1" || exit 126
        mapfile -d "" -t AWSRUNNER_VARS < "$2" || exit 126
        [ "${AWSRUNNER_VARS[1]}" -eq 0 ] || export "${AWSRUNNER_VARS[@]:2:${AWSRUNNER_VARS[1]}}"
        [ ! -f "$3" ] || { mapfile -d "" -t AWSRUNNER_VARS < "$3"; [ ${#AWSRUNNER_VARS[@]} -eq 0 ] || export "${AWSRUNNER_VARS[@]}"; }
        if [ "$4" -gt 0 ]; then unset AWSRUNNER_VARS; exec timeout --kill-after=10 "$4" bash -c "$5"; fi
        AWSRUNNER_VARS=$5
        set --
        eval "unset AWSRUNNER_VARS
$AWSRUNNER_VARS"' bash "$work" "$base/queue/$row_name" "$base/$FILE_SECRETS" "${AWSRUNNER_TIMEOUT_SECONDS:-0}" "$1" "$job_locale"
}

# run_row SLOT ROW, in a process of its own: the job, then packing and uploads, then the .done; however it ends, the
# slot is handed back to the node's walk through its events pipe.
run_row() {
    local slot=$1 command="" rc started finished end
    row="$base/$DIR_ROWS/$2" row_name=$2 errfile="$base/$DIR_SLOTS/$1/put.err"
    trap 'end_of_row '"$slot" EXIT
    read_row "$row"
    export AWSRUNNER_PROGRESS="$row/progress" AWSRUNNER_INTERRUPTED="$row/interrupted"
    work_folder "$slot"
    # The command is the first field of the row's file.
    IFS= read -r -d '' command < "$base/queue/$2"
    empty_results
    stamp started
    record row_started "$started"
    set_row_state "$STATE_RUNNING"
    if [ -e "$base/preempted" ]; then
        # The node was told to go before this row's job began: it does not begin, and another node takes it on.
        echo "awsrunner: a spot interruption notice came before the job began; it did not begin" > "$row/job.log"
        stamp finished
        set_row_state "$STATE_UPLOADING"
        pack_job null "$started" "$finished" "$STATE_PREEMPTED"
        upload_results
        set_row_state "$row_end"
        record row_up 1
        return 0
    fi
    # The first beat as the job begins: status shows the row running on its node at once, not a beat later.
    write_heartbeat
    run_command "$command" > "$row/job.log" 2>&1 < /dev/null {events}>&- {logfd}>&- &
    printf '%s\n' "$!" > "$base/$DIR_SLOTS/$slot/$FILE_JOB_PID"
    wait $!
    rc=$?
    stamp finished
    end=$STATE_DONE
    [ "$rc" -eq 0 ] || end=$STATE_FAILED
    if [ -f "$row/preempted" ]; then
        end=$STATE_PREEMPTED
        echo "awsrunner: the job was stopped by a spot interruption notice; what it left is uploaded as partial results" >> "$row/job.log"
    elif [ "${AWSRUNNER_TIMEOUT_SECONDS:-0}" -gt 0 ] && { [ $rc -eq 124 ] || [ $rc -eq 137 ]; }; then
        echo "awsrunner: the job was stopped after its timeout of ${AWSRUNNER_TIMEOUT_SECONDS}s" >> "$row/job.log"
    elif [ $rc -gt 128 ]; then
        # The job's shell is not the runner's child any more, so nobody else says so.
        echo "awsrunner: the job ended on signal $(kill -l $((rc - 128)) 2>/dev/null || echo $((rc - 128)))" >> "$row/job.log"
    fi
    record row_exit "$rc"
    set_row_state "$STATE_UPLOADING"
    pack_job "$rc" "$started" "$finished" "$end"
    upload_results
    set_row_state "$row_end"
    record row_up 1
}

# A row's process that ended before its row did (a fault of the runner's) still hands its slot back; the row's lease
# then runs out unrenewed and another node takes its next attempt.
end_of_row() {
    [ -n "$row_up" ] || log "row $row_name: its process ended before the row did"
    printf '%s\n' "$1" >&"$events"
}

# While a job runs, the tail of its log goes to the bucket at each beat when it changed, so that the log outlives a
# node that is lost or preempted. At most LOG_TAIL_BYTES a beat, however much the job prints.
upload_log_tail() {
    local seen size last=""
    [ -f "$row/job.log" ] || return 0
    seen=$(stat -c %s.%Y "$row/job.log" 2>/dev/null) || return 0
    { read -r last < "$row/log.seen"; } 2> /dev/null
    [ "$seen" != "$last" ] || return 0
    size=${seen%.*}
    if [ "$size" -gt "${AWSRUNNER_LOG_TAIL_BYTES:-1048576}" ]; then
        { echo "awsrunner: the last ${AWSRUNNER_LOG_TAIL_BYTES:-1048576} bytes of $size so far"; tail -c "${AWSRUNNER_LOG_TAIL_BYTES:-1048576}" "$row/job.log"; } > "$row/log.tail"
    else
        cat "$row/job.log" > "$row/log.tail"
    fi
    row_put "$row/log.tail" AWSRUNNER_URL_LOG 30 && printf '%s\n' "$seen" > "$row/log.seen"
}

# EC2 gives a spot instance two minutes' notice through instance metadata v2. The address comes from the node's
# settings (the simulated fleet serves its own on 127.0.0.1); where metadata is disabled and none is named, no
# request is made at all. One watch for the node.
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

# The notice: no row is claimed any more, and every row at work gets SIGTERM so that it can checkpoint (the file named
# by its $AWSRUNNER_INTERRUPTED appears), SIGKILL after the grace; each row then uploads its log and whatever results
# exist as a preempted attempt, which another node takes on at once. A row that started its job as the notice came is
# caught by a second look.
preempt() {
    local look marker name job i alive
    local -A stopped=()
    log "spot interruption notice: $(< "$base/instance-action")"
    : > "$base/preempted"
    for look in 1 2; do
        for marker in "$base/$DIR_SLOTS"/*/row; do
            name=""
            { read -r name < "$marker"; } 2> /dev/null
            [ -n "$name" ] || continue
            { read_row "$base/$DIR_ROWS/$name"; } 2> /dev/null
            [ -z "$row_up" ] || continue
            : > "$base/$DIR_ROWS/$name/preempted"
            : > "$base/$DIR_ROWS/$name/interrupted"
            { read -r job < "${marker%/row}/$FILE_JOB_PID"; } 2> /dev/null || continue
            [ -z "${stopped[$job]:-}" ] || continue
            stopped[$job]=1
            kill -TERM -- "-$job" 2> /dev/null
        done
        [ "$look" -eq 2 ] || sleep 1
    done
    # The walk may be waiting for a beat: it learns at once that nothing is to be claimed.
    printf 'notice\n' >&"$events"
    for ((i = 0; i < ${AWSRUNNER_STOP_GRACE_SECONDS:-60}; i++)); do
        alive=0
        for job in "${!stopped[@]}"; do kill -0 -- "-$job" 2> /dev/null && alive=1; done
        [ "$alive" -eq 1 ] || return 0
        sleep 1
    done
    for job in "${!stopped[@]}"; do kill -KILL -- "-$job" 2> /dev/null; done
}

# Packing is a step of its own. tar writes results.tar.gz; only an archive recorded in row_packed (its size, SHA-256,
# parts and the row's outcome) is whole, and only a recorded archive is ever uploaded. A dead man's switch that fires
# while tar writes finds no record and packs again from what exists.
pack_results() {
    local members=(-C "$row" job.log -C "$work" --) found=0 p
    while IFS= read -r p; do
        [ -n "$p" ] && [ -e "$work/$p" ] && members+=("$p") && found=1
    done <<< "${AWSRUNNER_RESULTS:-output}"
    # Without results, a trailing -C would only earn a warning.
    [ $found -eq 1 ] || members=(-C "$row" job.log)
    # tar and gzip side by side: tar -z would start gzip through a shell, a process more for every row.
    LC_ALL=$node_lc_all tar -cf - "${members[@]}" | plain gzip > "$row/results.tar.gz"
    [ "${PIPESTATUS[*]}" = "0 0" ]
}

# An archive of job.log alone, for results that cannot go up whole; what was wrong is in results_error.
pack_log_only() {
    echo "awsrunner: $1: only job.log is packed" >> "$packlog"
    LC_ALL=$node_lc_all tar -cf - -C "$row" job.log | plain gzip > "$row/results.tar.gz"
    [ "${PIPESTATUS[*]}" = "0 0" ]
}

# Part numbers are the node's: a row whose archive goes up in parts takes the next unused ones of the node's
# AWSRUNNER_URL_PART_N, under a lock, since rows pack at once. Sets parts_first, or parts_left when too few are left.
reserve_parts() {
    local lock next=1
    exec {lock}> "$base/parts.lock"
    flock "$lock"
    { read -r next < "$base/parts.next"; } 2> /dev/null || next=1
    parts_left=$(( ${AWSRUNNER_PARTS:-0} - next + 1 ))
    if [ "$1" -gt "$parts_left" ]; then
        exec {lock}>&-
        return 1
    fi
    printf '%s\n' $((next + $1)) > "$base/parts.next"
    exec {lock}>&-
    parts_first=$next
}

# status.json: EXIT_CODE STARTED FINISHED STATE; the archive's size and SHA-256 as packed records them, and the keys of
# its parts when it went up in parts, so that fetch can tell a damaged, truncated or incomplete archive; results_error
# when it does not hold every result.
write_status() {
    local extra="" size sum parts first end n key keys="" started_json job_json node_json state_json pb=${AWSRUNNER_RESULTS_PART_BYTES:-5368709120}
    [ -s "$row/results_error" ] && extra+=",\"results_error\":$(json_text 2000 < "$row/results_error")"
    if read -r size sum parts first end <<< "$row_packed" && [ "${size:-0}" -gt 0 ]; then
        if [ "$parts" -gt 1 ]; then
            for ((n = first; n < first + parts; n++)); do
                printf -v key '"%s/parts/%s/%05d"' "${AWSRUNNER_JOB:-}" "${AWSRUNNER_NODE:-}" "$n"
                keys+=${keys:+,}$key
            done
            extra+=",\"archive\":{\"bytes\":$size,\"sha256\":\"$sum\",\"parts\":[$keys],\"part_bytes\":$pb}"
        else
            extra+=",\"archive\":{\"bytes\":$size,\"sha256\":\"$sum\"}"
        fi
    fi
    json_str state_json "$4"
    json_str job_json "${AWSRUNNER_JOB:-}"
    json_str node_json "${AWSRUNNER_NODE:-}"
    if [ -n "$2" ]; then json_str started_json "$2"; else started_json=null; fi
    printf '{"index":%s,"job":%s,"attempt":%s,"exit_code":%s,"started":%s,"finished":"%s","host":%s,"node":%s,"runner":%s,"state":%s%s}\n' \
        "${AWSRUNNER_INDEX:-0}" "$job_json" "${AWSRUNNER_ATTEMPT:-1}" "$1" "$started_json" "$3" "$host_json" "$node_json" \
        "$RUNNER_VERSION" "$state_json" "$extra" > "$row/status.json"
}

# The packing step (EXIT_CODE STARTED FINISHED STATE): the archive, its record, status.json, and the .done line. A
# path tar cannot read fails the row (results_error says why) but what tar could read is kept, if the archive it
# wrote is whole (a full disk cuts it short). An archive larger than the node's part URLs left could never go up:
# job.log goes alone, and results_error says how large the results were. Sets row_end, the row's outcome.
pack_job() {
    local size=0 sum=- parts=1 whole=1 end=$4 pb=${AWSRUNNER_RESULTS_PART_BYTES:-5368709120} f
    # What tar says lasts this packing only: the slot's file, written over each time.
    local packlog="$base/$DIR_SLOTS/${AWSRUNNER_SLOT:-1}/pack.log"
    parts_first=0
    row_packed=""
    for f in results_error results.tar.gz; do
        [ ! -e "$row/$f" ] || { rm -f "$row/results_error" "$row/results.tar.gz"; break; }
    done
    # tar reads job.log, so what it says goes to the log only once the archive is written.
    if ! pack_results 2> "$packlog"; then
        if [ -s "$packlog" ]; then cp "$packlog" "$row/results_error"; else echo "tar did not finish" > "$row/results_error"; fi
        gzip -t "$row/results.tar.gz" 2> /dev/null || { pack_log_only "the archive tar wrote is not whole" || whole=0; }
    fi
    [ $whole -eq 0 ] || size=$(plain stat -c %s "$row/results.tar.gz" 2> /dev/null) || whole=0
    if [ $whole -eq 1 ] && [ "$size" -gt "$pb" ]; then
        parts=$(( (size + pb - 1) / pb ))
        if ! reserve_parts "$parts"; then
            echo "results are $size bytes, over the limit of $((parts_left * pb)) ($parts_left parts of $pb)" >> "$row/results_error"
            pack_log_only "results are $size bytes, over the limit of $((parts_left * pb))" || whole=0
            parts=1
            [ $whole -eq 0 ] || size=$(plain stat -c %s "$row/results.tar.gz" 2> /dev/null) || whole=0
            # Even the log is over one part: it goes up in parts if the node has them, else nothing goes up.
            if [ $whole -eq 1 ] && [ "$size" -gt "$pb" ]; then
                parts=$(( (size + pb - 1) / pb ))
                reserve_parts "$parts" || whole=0
            fi
        fi
    fi
    if [ $whole -eq 1 ]; then
        sum=$(plain sha256sum "$row/results.tar.gz")
        sum=${sum%% *}
    else
        # Not even job.log could be packed (a full disk): status.json says so, and no archive goes up.
        echo "no archive could be written" >> "$row/results_error"
        rm -f "$row/results.tar.gz"
        size=0 sum=- parts=0
    fi
    # An archive that is not whole fails the row, whatever its exit code.
    [ "$end" != "$STATE_DONE" ] || [ ! -s "$row/results_error" ] || end=$STATE_FAILED
    row_end=$end
    record row_packed "$size $sum $parts $parts_first $end"
    write_status "$1" "$2" "$3" "$end"
    printf '%s %s\n' "$end" "${1/#null/-}" > "$row/done"
    [ ! -s "$packlog" ] || cat "$packlog" >> "$row/job.log"
}

# Results first, job.log, status.json, then the attempt's .done: a status.json in the bucket means everything else is
# there, a .done that the attempt is over. Only a packed archive goes up. The node keeps a row's results until they
# are up, retrying with backoff (at most 5 minutes apart): the dead man's switch caps what that costs. Past the grace
# period the row's state says upload-failed, so that status shows it, but the retries go on. With STOP (a time in
# epoch seconds) it gives up then, for the switch's own last upload.
upload_results() {
    local stop=${1:-0} now grace_end delay=2 cap=0 state size sum parts first end
    local sent_results=0 sent_log=0 sent_status=0
    epoch now
    grace_end=$(( now + ${AWSRUNNER_UPLOAD_GRACE_SECONDS:-1800} ))
    [ -n "$row_packed" ] || return 1
    read -r size sum parts first end <<< "$row_packed"
    [ "$size" -gt 0 ] || sent_results=1
    [ "$parts" -gt 1 ] || ! link_objects "$size" || sent_results=1 sent_log=1 sent_status=1
    while :; do
        if [ "$stop" -gt 0 ]; then
            epoch now
            cap=$(( stop - now ))
            [ $cap -gt 0 ] || return 1
        fi
        if [ $sent_results -eq 0 ]; then
            if [ "$parts" -le 1 ]; then
                row_put "$row/results.tar.gz" AWSRUNNER_URL_RESULTS $cap once && sent_results=1
            else
                upload_parts "$parts" "$first" $cap && sent_results=1
            fi
        fi
        [ $sent_log -eq 1 ] || { row_put "$row/job.log" AWSRUNNER_URL_LOG $cap once && sent_log=1; }
        if [ $sent_results -eq 1 ] && [ $sent_log -eq 1 ]; then
            [ $sent_status -eq 1 ] || { row_put "$row/status.json" AWSRUNNER_URL_STATUS $cap once && sent_status=1; }
            if [ $sent_status -eq 1 ] && row_put "$row/done" AWSRUNNER_URL_DONE $cap once; then
                [ ! -e "$row/upload_error" ] || rm -f "$row/upload_error"
                return 0
            fi
        fi
        printf '%s\n' "$put_error" > "$row/upload_error"
        word state "$row/state"
        epoch now
        if [ "$state" = "$STATE_UPLOADING" ] && [ "$now" -ge "$grace_end" ]; then
            set_row_state "$STATE_UPLOAD_FAILED"
        fi
        log "row $row_name: an upload did not go through, retrying in ${delay}s: $put_error"
        sleep "$delay"
        delay=$(( delay * 2 > 300 ? 300 : delay * 2 ))
    done
}

# link_objects SIZE: on the local cloud, the archive, job.log and status.json go into their attempt's folder in the
# bucket as second names of the row's files, in that order, by one process (put does it one at a time): only where
# all three URLs are file:// into one folder under those same names, none there yet. Anything else is left to put.
link_objects() {
    local results="" log status folder
    . "$row/$FILE_URLS"
    [[ ${AWSRUNNER_URL_LOG:-} == file://* && ${AWSRUNNER_URL_STATUS:-} == file://* ]] || return 1
    file_path log "$AWSRUNNER_URL_LOG"
    file_path status "$AWSRUNNER_URL_STATUS"
    folder=${status%/*}
    if [ "$1" -gt 0 ]; then
        [[ ${AWSRUNNER_URL_RESULTS:-} == file://* ]] || return 1
        file_path results "$AWSRUNNER_URL_RESULTS"
        [ "$results" = "$folder/results.tar.gz" ] && [ ! -e "$results" ] || return 1
        results="$row/results.tar.gz"
    fi
    [ "$log" = "$folder/job.log" ] && [ "$status" = "$folder/status.json" ] && [ ! -e "$log" ] && [ ! -e "$status" ] || return 1
    plain ln -- ${results:+"$results"} "$row/job.log" "$row/status.json" "$folder/" 2> /dev/null
}

# The archive's parts, each cut from it just before its PUT (one part on the disk at a time, beside the archive) and
# marked in parts.up once the bucket has it, so that a retry, or the switch's last upload, sends only the rest.
upload_parts() {
    local parts=$1 first=$2 cap=$3 i n name pb=${AWSRUNNER_RESULTS_PART_BYTES:-5368709120}
    mkdir -p "$row/parts.up"
    for ((i = 1; i <= parts; i++)); do
        n=$((first + i - 1))
        [ -e "$row/parts.up/$n" ] && continue
        name=AWSRUNNER_URL_PART_$n
        # put takes a missing URL for an object not wanted; a part is always wanted.
        [ -n "${!name:-}" ] || { put_error="queue.env has no URL for part $n"; return 1; }
        if ! tail -c +$(( (i - 1) * pb + 1 )) "$row/results.tar.gz" 2> "$row/part.log" | head -c "$pb" > "$row/results.part" 2>> "$row/part.log"; then
            put_error="part $n could not be cut from the archive: $(< "$row/part.log")"
            rm -f "$row/results.part"
            return 1
        fi
        put "$row/results.part" "${!name}" "$cap" || { rm -f "$row/results.part"; return 1; }
        : > "$row/parts.up/$n"
    done
    rm -f "$row/results.part"
}

# The work step: the queue, AWSRUNNER_SLOTS slots, and one walk that hands each free slot the next claimable row.
# A slot with nothing claimable ends (after the idle rule); once every slot ended the node powers off. The walk waits
# for a slot to come free on the events pipe, never in a loop: each row's process says its slot there as it ends.
cmd_work() {
    echo $$ > "$base/$FILE_WORK_PID"
    exec {logfd}>> "$base/runner.log"
    set_node_state "$STATE_RUNNING"
    . "$base/$FILE_WORK_ENV"
    . "$base/$FILE_QUEUE_ENV"
    local slots=${AWSRUNNER_SLOTS:-1} beat=${AWSRUNNER_HEARTBEAT_SECONDS:-60} idle=${AWSRUNNER_IDLE_SECONDS:-0}
    local s message busy pause idle_since=0 now heartbeat watch="" end=$STATE_DONE
    local -a rows=() first_attempt=() last_attempt=() seen=() slot_pid=() slot_busy=() slot_row=()
    local -A position=() ours=() listed_top=() listed_claim=() listed_beat=() listed_done=() retry_sum=()
    json_str host_json "$(hostname 2> /dev/null || uname -n)"
    # Each row's processes find their programs in the table they inherit, not along the PATH, and start in the C
    # locale (above).
    hash setsid tar gzip stat sha256sum ln cp mv rm mkdir find 2> /dev/null
    export LC_ALL=C
    if ! fetch_queue >> "$base/runner.log" 2>&1; then
        log "the queue could not be fetched: this node runs no row"
        forget_secrets
        set_node_state "$STATE_FAILED"
        power_off
        return 1
    fi
    walked=0 walk_first=0
    [ ${#rows[@]} -eq 0 ] || walk_first=$(( ${AWSRUNNER_FIRST:-0} % ${#rows[@]} ))
    log "work: ${#rows[@]} rows of ${AWSRUNNER_TYPE:-its type} in the queue, $slots slots, the walk from position $walk_first"
    # The events pipe lives on as the descriptor the walk and its rows share: its name goes at once, so that nothing
    # that reads the node's files (a test, a user's grep) ever opens it and waits.
    rm -f "$base/events" "$base/preempted" && mkfifo -m 600 "$base/events" && exec {events}<> "$base/events" && rm -f "$base/events"
    for ((s = 1; s <= slots; s++)); do
        mkdir -p "$base/$DIR_SLOTS/$s" && : > "$base/$DIR_SLOTS/$s/row"
        slot_busy[s]=0
    done
    heartbeat_loop &
    heartbeat=$!
    if [ "${AWSRUNNER_SPOT:-0}" = 1 ]; then
        spot_watch &
        watch=$!
    fi
    while :; do
        pause=""
        for ((s = 1; s <= slots; s++)); do
            [ "${slot_busy[s]}" = 0 ] || continue
            if next_claim "$s"; then
                start_row "$s"
                idle_since=0
                continue
            fi
            # Nothing claimable. With rows still at work on other nodes, the node may keep looking every beat for a
            # while (one of them may be given up, or end asking for another attempt); else the free slots end.
            if [ "$elsewhere" = 1 ] && [ "$idle" -gt 0 ]; then
                epoch now
                [ "$idle_since" -gt 0 ] || idle_since=$now
                if [ $((now - idle_since)) -lt "$idle" ]; then
                    # A look every beat, and at least every 10 s: once the last row elsewhere ends, an idle node learns
                    # it soon, not a whole beat later on the bill.
                    pause=$(( beat < 10 ? beat : 10 ))
                    break
                fi
            fi
            for ((s = 1; s <= slots; s++)); do
                [ "${slot_busy[s]}" != 0 ] || { slot_busy[s]=2; log "slot $s ends: nothing left to claim"; }
            done
            break
        done
        busy=0
        for ((s = 1; s <= slots; s++)); do [ "${slot_busy[s]}" != 1 ] || busy=1; done
        [ "$busy" -eq 1 ] || [ -n "$pause" ] || break
        message=""
        if [ -n "$pause" ]; then
            read -r -t "$pause" -u "$events" message
        else
            read -r -u "$events" message
        fi
        if [[ $message =~ ^[0-9]+$ ]] && [ "${slot_busy[message]:-}" = 1 ]; then
            wait "${slot_pid[message]}"
            : > "$base/$DIR_SLOTS/$message/row"
            unset "ours[${slot_row[message]}]"
            slot_busy[message]=0
        fi
    done
    [ ! -e "$base/preempted" ] || end=$STATE_PREEMPTED
    kill $heartbeat $watch 2> /dev/null
    wait $heartbeat $watch 2> /dev/null
    forget_secrets
    set_node_state "$end"
    power_off
}

cmd_start() {
    local step=$1 state
    # Two dispatchers may ask at once: looking at the state and starting the step are one, under a lock that the
    # next start waits for, so that it sees the step started and only reports it.
    exec 7> "$base/start.lock"
    flock 7
    word state "$base/state"
    # Each step runs once: a second start (a re-run of the dispatch) only reports where the node is.
    case $step in
        install)
            if [ "$state" != none ] && ! one_of "$state" "$STATES_ENDED_BEFORE_WORK"; then echo "$state"; return 0; fi ;;
        work)
            if one_of "$state" "$STATES_STARTED"; then echo "$state"; return 0; fi
            if [ "$state" != "$STATE_READY" ]; then
                forget_secrets
                echo "node is not ready to work (state: $state)" >&2
                return 3
            fi ;;
        *) echo "unknown step: $step" >&2; return 2 ;;
    esac
    rm -f "$base/$step.pid"
    if [ "$step" = install ]; then rm -f "$base/state"; state=none; fi
    # The subshell exits at once, so the step is nobody's child: ending the caller's process tree spares it.
    (setsid nohup bash "$self" "$step" < /dev/null >> "$base/runner.log" 2>&1 7>&- &)
    local i now
    for ((i = 0; i < 300; i++)); do
        word now "$base/state"
        [ -s "$base/$step.pid" ] && [ "$now" != "$state" ] && { echo "$now"; return 0; }
        sleep 0.1
    done
    echo "the $step step did not start within 30s (state: $now)" >&2
    return 3
}

# The time is absolute (the cloud's launch time and the batch's max-hours) and counted on this node's clock, the one
# the boothook's later power-off is counted on too; the laptop's clock plays no part.
cmd_arm() {
    local at=$1 seconds now pid=""
    { read -r pid < "$base/deadman.pid"; } 2> /dev/null
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
        return 0
    fi
    epoch now
    seconds=$(( at - now ))
    [ "$seconds" -gt 0 ] || seconds=0
    (setsid nohup bash -c 'echo $$ > "$1"; sleep "$2"; exec bash "$3" time-up' _ \
        "$base/deadman.pid" "$seconds" "$self" < /dev/null >> "$base/runner.log" 2>&1 &)
    log "dead man's switch armed: every row stops in ${seconds}s, at $(TZ=UTC printf '%(%Y-%m-%dT%H:%M:%SZ)T' "$at")"
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

# end_row ROW END WHY DETAIL: a row the work step was stopped in the middle of. Its job is stopped; a row packed whole keeps
# its archive, status.json and outcome, and its upload is finished; otherwise (the job still ran, or tar was writing)
# what exists is packed now and the row ends END. Its log, results and .done go up within DEADLINE_UPLOAD_SECONDS.
end_row() {
    local end=$2 pid="" size sum parts first packed_end="" rc=null started="" at now
    row="$base/$DIR_ROWS/$1" row_name=$1 errfile="$base/$DIR_ROWS/$1/put.err"
    read_row "$row"
    work_folder "${AWSRUNNER_SLOT:-1}"
    { read -r pid < "$base/$DIR_SLOTS/${AWSRUNNER_SLOT:-1}/$FILE_JOB_PID"; } 2> /dev/null
    [ -z "$pid" ] || stop_session "$pid"
    read -r size sum parts first packed_end <<< "$row_packed"
    if [ -z "$packed_end" ]; then
        if [ -n "$row_exit" ]; then
            echo "awsrunner: $3 fired while the results were packed: they are packed again" >> "$row/job.log"
        else
            echo "awsrunner: the job was stopped by $3 ($4)" >> "$row/job.log"
        fi
        rc=${row_exit:-null} started=$row_started
        stamp at
        pack_job "${rc:-null}" "$started" "$at" "$end"
        packed_end=$row_end
    fi
    set_row_state "$packed_end"
    epoch now
    upload_results $(( now + $DEADLINE_UPLOAD_SECONDS )) || log "row $1: the last upload did not finish in time"
    record row_up 1
}

# stop_work END WHY DETAIL: the work step is stopped (its walk, every row's process, its beat and watch), and every row it
# had at work ends END, all at once. Under a lock: the switch and a power-off may come together.
stop_work() {
    local lock pid="" marker name state
    exec {lock}> "$base/stop.lock"
    flock "$lock"
    forget_secrets
    { read -r pid < "$base/$FILE_WORK_PID"; } 2> /dev/null
    [ -n "$pid" ] || return 0
    stop_session "$pid"
    . "$base/$FILE_WORK_ENV"
    . "$base/$FILE_QUEUE_ENV"
    json_str host_json "$(hostname 2> /dev/null || uname -n)"
    for marker in "$base/$DIR_SLOTS"/*/row; do
        name=""
        { read -r name < "$marker"; } 2> /dev/null
        [ -n "$name" ] || continue
        read_row "$base/$DIR_ROWS/$name"
        [ -z "$row_up" ] || continue
        end_row "$name" "$1" "$2" "$3" &
    done
    wait
    word state "$base/state"
    [ "$state" != "$STATE_RUNNING" ] || set_node_state "$1"
}

# The switch fired: every row not yet over is stopped and what it has (log, partial results, a status.json that says
# deadline) is uploaded within DEADLINE_UPLOAD_SECONDS, then the node powers off.
cmd_time_up() {
    log "dead man's switch: time is up"
    stop_work "$STATE_DEADLINE" "the dead man's switch" "its node's time was up"
    power_off
}

# Lets the create learn a short INSTALL.sh's outcome from the command that started it, not from a poll round later.
cmd_settle() {
    local i state
    for ((i = 0; i < $1 * 10; i++)); do
        word state "$base/state"
        [ "$state" = "$STATE_INSTALLING" ] || return 0
        sleep 0.1
    done
}

# A row's folder name from what a user typed (7 or 0007); the last row run when none is given.
row_named() {
    local _name=${2:-}
    [ -n "$_name" ] || { read -r _name < "$base/last"; } 2> /dev/null
    if [ -n "$_name" ] && [ ! -d "$base/$DIR_ROWS/$_name" ] && [[ $_name =~ ^[0-9]+$ ]]; then printf -v _name '%04d' "$((10#$_name))"; fi
    printf -v "$1" '%s' "$_name"
}

cmd_report() {
    local lines=${1:-20} name state row_state="" attempt="" code="" install_code=""
    row_named name "${2:-}"
    word state "$base/state"
    { read -r install_code < "$base/install_exit_code"; } 2> /dev/null
    echo "state=$state"
    echo "runner=$RUNNER_VERSION"
    echo "install_exit_code=$install_code"
    if [ -n "$name" ] && [ -f "$base/$DIR_ROWS/$name/$FILE_JOB_ENV" ]; then
        word row_state "$base/$DIR_ROWS/$name/state"
        read_row "$base/$DIR_ROWS/$name"
        attempt=$AWSRUNNER_ATTEMPT code=$row_exit
        echo "row=$name"
        echo "attempt=$attempt"
        echo "row_state=$row_state"
        echo "exit_code=$code"
        echo "--- log"
        tail -n "$lines" "$base/$DIR_ROWS/$name/job.log" 2> /dev/null
    else
        echo "exit_code="
        echo "--- log"
        tail -n "$lines" "$base/install.log" 2> /dev/null
    fi
}

cmd_log() {
    local follow="" name file state
    if [ "${1:-}" = follow ]; then follow=1; shift; fi
    row_named name "${1:-}"
    word state "$base/state"
    if [ -n "$name" ]; then
        file="$base/$DIR_ROWS/$name/job.log"
        [ -e "$file" ] || { echo "awsrunner: row $name has no log on this node (state: $state)" >&2; return 3; }
    else
        file="$base/install.log"
        [ -e "$file" ] || { echo "awsrunner: this node has no log yet (state: $state)" >&2; return 3; }
        echo "awsrunner: no row has started on this node (state: $state); this is the install log" >&2
    fi
    if [ -n "$follow" ]; then
        exec tail -n +1 -F "$file"
    fi
    exec cat "$file"
}

# A power-off asked for from outside while rows run: each ends preempted (another node takes its next attempt at
# once), with its log and what it has uploaded.
cmd_poweroff() {
    stop_work "$STATE_PREEMPTED" "the node's power-off" "another node takes the row on"
    power_off
}

# A power-off that fails (no passwordless sudo on a custom image) is said in the heartbeat of the last row the node
# ran, so that status shows it; the dispatcher then terminates the instance (Overstays), and the boothook's switch
# still fires.
power_off() {
    local error name
    log "power-off"
    forget_secrets
    if [ -n "${AWSRUNNER_POWEROFF:-}" ]; then
        error=$(bash -c "$AWSRUNNER_POWEROFF" 2>&1 >/dev/null) && return 0
    else
        error=$({ sudo -n shutdown -h now || shutdown -h now; } 2>&1 >/dev/null) && return 0
    fi
    printf '%s\n' "${error:-the power-off command did not succeed}" > "$base/poweroff_error"
    log "the power-off did not succeed: $error"
    row_named name
    if [ -n "$name" ] && [ -f "$base/$DIR_ROWS/$name/$FILE_JOB_ENV" ] && [ -f "$base/$FILE_WORK_ENV" ]; then
        . "$base/$FILE_WORK_ENV"
        row="$base/$DIR_ROWS/$name" row_name=$name errfile="$base/$DIR_ROWS/$name/put.err"
        read_row "$row"
        write_heartbeat
    fi
    return 1
}

case "${1:-}" in
    start) cmd_start "${2:-}" ;;
    install) cmd_install ;;
    work) cmd_work ;;
    arm) cmd_arm "${2:?time}" ;;
    time-up) cmd_time_up ;;
    settle) cmd_settle "${2:?seconds}" ;;
    report) cmd_report "${2:-20}" "${3:-}" ;;
    log) shift; cmd_log "$@" ;;
    poweroff) cmd_poweroff ;;
    *) echo "usage: runner.sh start install|work | install | work | arm AT | time-up | settle SECONDS | report [LINES [ROW]] | log [follow] [ROW] | poweroff" >&2; exit 2 ;;
esac
