#!/usr/bin/env bash
# The fan-out measurement's INSTALL.sh, the same for both tools: checks that the code folder arrived whole, and leaves a marker.
set -eu
cd "$HOME/code"
files=$(find . -type f | wc -l)
if [ "$files" -ne __FILES__ ]; then
    echo "expected __FILES__ files in ~/code, found $files" >&2
    exit 1
fi
echo "$files files" > "$HOME/installed"
