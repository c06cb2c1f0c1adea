#!/usr/bin/env bash
# Builds and runs every test, then prints the reliability figures the tests measured (docs/reliability.md) and,
# last, one line: "N passed, N failed, N skipped".
# The end-to-end tests need OpenSSH's sshd and moto_server on this machine; under CI=true a missing one fails
# the run, elsewhere the tests that need it are skipped (and counted as skipped).
set -uo pipefail
# Nothing in the tests may reach the instance metadata address: only 127.0.0.1.
export AWS_EC2_METADATA_DISABLED=true
cd "$(dirname "$0")"

results="$(pwd)/TestResults"
rm -rf "$results"
dotnet test AwsRunner.sln --nologo --logger "trx;LogFileName=tests.trx" --results-directory "$results" "$@"
status=$?

shopt -s nullglob
trx=("$results"/*.trx "$results"/*/*.trx)
if [ ${#trx[@]} -eq 0 ]; then
    echo "0 passed, 1 failed (no test results: the build or the test host failed)"
    exit 1
fi

passed=0 failed=0 skipped=0
for file in "${trx[@]}"; do
    counters=$(grep -o '<Counters [^>]*>' "$file")
    value() { printf '%s' "$counters" | grep -o " $1=\"[0-9]*\"" | grep -o '[0-9]*'; }
    passed=$((passed + $(value passed)))
    failed=$((failed + $(value failed) + $(value error) + $(value timeout) + $(value aborted)))
    skipped=$((skipped + $(value total) - $(value executed)))
done

# Written by the tests (ReliabilityLedger) when fleet batches ran.
if [ -f "$results/reliability.json" ]; then
    sed -n 's/^  "summary": "\(.*\)",\{0,1\}$/\1/p' "$results/reliability.json"
fi

echo "$passed passed, $failed failed, $skipped skipped"
if [ "$failed" -gt 0 ] || [ "$status" -ne 0 ]; then
    exit 1
fi
