#!/usr/bin/env bash
# Region benchmark of `ancrage ingest` (docs/benchmarks.md, "Engine"): the synth `region`
# preset (50 000 establishments, 12 basins of data/refdata) is generated and ingested one
# basin at a time — its DSN (≈ 65 GB) would not fit on the disk at once. Each ingest adds a
# basin to the working store, recomputes everything in it and republishes, so the last one
# holds the whole region. A final ingest of one known file is a pure recompute.
#
#   scripts/bench-region.sh [OUT_DIR] [FIRST_BASIN] [LAST_BASIN]
#
# Needs a release build (cargo build --release -p server; honours CARGO_TARGET_DIR) and
# data/refdata (scripts/refdata-fetch.sh). Prints one line per basin.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${ANCRAGE_BIN:-${CARGO_TARGET_DIR:-target}/release/ancrage}
OUT=${1:-/tmp/ancrage-region}
FIRST=${2:-0}
LAST=${3:-11}
mkdir -p "$OUT"
run_ingest() { # $1 = label, rest = paths
  local label=$1; shift
  /usr/bin/time -v "$BIN" --database-url "sqlite://$OUT/published.db" ingest "$@" \
    --work-dir "$OUT/work" --key-file "$OUT/key" --quiet >"$OUT/ingest-$label.out" 2>"$OUT/ingest-$label.err"
  local wall rss read recompute
  wall=$(grep 'Elapsed (wall clock)' "$OUT/ingest-$label.err" | awk '{print $NF}')
  rss=$(grep 'Maximum resident set size' "$OUT/ingest-$label.err" | awk '{print $NF}')
  read=$(grep -o 'in [0-9.]* s' <(grep 'new file(s)' "$OUT/ingest-$label.err") | awk '{print $2}')
  recompute=$(grep -o 'in [0-9.]* s$' <(grep 'recomputed' "$OUT/ingest-$label.err") | awk '{print $2}')
  echo "ingest $label: wall $wall, read+store ${read}s, recompute ${recompute}s, peak RSS $((rss / 1024)) MB, load $(cut -d' ' -f1-3 /proc/loadavg)"
  grep recomputed "$OUT/ingest-$label.err" | sed 's/^.*INFO [^ ]* //' || true
  cat "$OUT/ingest-$label.out"
}
for b in $(seq "$FIRST" "$LAST"); do
  rm -rf "$OUT/dsn"
  start=$(date +%s)
  synth=$("$BIN" synth --preset region --only-basin "$b" --out "$OUT/dsn" --quiet)
  echo "basin $b: $synth ($(( $(date +%s) - start )) s)"
  run_ingest "basin-$b" "$OUT/dsn"
  du -sh "$OUT/work" | awk '{print "working store: " $1}'
done
# Pure recompute of everything: one file that is already known.
known=$(find "$OUT/dsn" -name '*.dsn' -print -quit)  # no head: SIGPIPE under pipefail
run_ingest recompute "$known"
rm -rf "$OUT/dsn"
