#!/usr/bin/env bash
# The demo job: estimates pi by throwing $samples random darts (seeded by $seed) and writes output/result.csv.
set -euo pipefail
mkdir -p output
echo "estimating pi with $samples samples, seed $seed, on $(hostname)"
awk -v seed="$seed" -v n="$samples" 'BEGIN {
    srand(seed); inside = 0
    for (i = 1; i <= n; i++) { x = rand(); y = rand(); if (x * x + y * y <= 1) inside++ }
    printf "seed,samples,pi\n%d,%d,%.6f\n", seed, n, 4 * inside / n
}' > output/result.csv
cat output/result.csv
