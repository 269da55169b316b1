#!/usr/bin/env bash
# Full benchmark (see docs/PERFORMANCE.md): release build, deterministic corpora of the
# given sizes, medians of RUNS runs. Usage: scripts/bench.sh [SIZES...]   (default 10000 100000)
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-5}
QUERIES=${QUERIES:-200}
WORK=${WORK:-/tmp/coindex-bench}
cargo build --release --bins -p coindex -p coindex-bench
mkdir -p "$WORK"
for n in "${@:-10000 100000}"; do
  for size in $n; do
    corpus="$WORK/corpus-$size"
    [ -d "$corpus" ] || target/release/coindex-bench gen --articles "$size" --out "$corpus" --seed 42
    echo "## $size articles"
    target/release/coindex-bench run --corpus "$corpus" --work "$WORK/run-$size" --runs "$RUNS" --queries "$QUERIES"
  done
done
