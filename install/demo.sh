#!/usr/bin/env bash
# The demo's INSTALL.sh: runs once on every node before its job, in ~/code. Check what the jobs need.
set -euo pipefail
command -v awk > /dev/null || { echo "awk is missing on this node" >&2; exit 1; }
echo "node ready: $(uname -sm), $(nproc) cpus"
