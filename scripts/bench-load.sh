#!/usr/bin/env bash
# Load benchmark of the published store behind `ancrage serve` (docs/benchmarks.md,
# "Published store under load"), on loopback with wrk (Debian package `wrk`).
#
#   scripts/bench-load.sh [OUT_DIR]
#
# 1. Templates: the `demo` synthetic territory is generated and ingested once into
#    OUT_DIR/demo.db (the real ingest; its DSN is deleted afterwards).
# 2. For each backend (SQLite file, PostgreSQL database ancrage_bench, dropped and created
#    again), `ancrage bench-data` publishes N copies of those establishments spread over the
#    grid's basins through the product's publish (basin summaries included).
# 3. A release server on 127.0.0.1:PORT; for each kind of request (scripts/bench-load/
#    requests.lua: list = /api/v1/establishments with a basin, half the time a sector,
#    pages 0-4; fn = the same through the UI's server function; basins = /api/v1/basins;
#    compare = /api/v1/basins/compare with 2-4 random basins), CONNS clients back to back
#    for DURATION (after WARMUP), with `Accept-Encoding: gzip` as a browser sends it.
#    Then the same with THINK_MS of pause per client between requests (paced).
# 4. SOAK seconds (0: none) of the list and basin requests together on SQLite, the server's
#    RSS sampled from /proc every 10 s.
# One JSON line per run goes to OUT_DIR/results.jsonl; a Markdown table is printed.
#
# Environment: N (100000), CONNS (200), DURATION (30s), WARMUP (5s), THINK_MS (1000),
# KINDS ("list fn basins compare"),
# SOAK (600), BACKENDS ("sqlite postgres"), PG (postgres://postgres@127.0.0.1:5432),
# PORT (3900), ANCRAGE_BIN (default: $CARGO_TARGET_DIR/release/ancrage, build it with
# `cargo build --release -p server`), ANCRAGE_CACHE_MB (server's answer cache, 64; 0: off).
# Needs data/refdata (scripts/refdata-fetch.sh), wrk, curl, python3; createdb/dropdb for
# PostgreSQL.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${ANCRAGE_BIN:-${CARGO_TARGET_DIR:-target}/release/ancrage}
OUT=${1:-/tmp/ancrage-load}
N=${N:-100000}
CONNS=${CONNS:-200}
DURATION=${DURATION:-30s}
WARMUP=${WARMUP:-5s}
THINK_MS=${THINK_MS:-1000}
SOAK=${SOAK:-600}
BACKENDS=${BACKENDS:-sqlite postgres}
PG=${PG:-postgres://postgres@127.0.0.1:5432}
PORT=${PORT:-3900}
KINDS=${KINDS:-list fn basins compare}
LUA=scripts/bench-load/requests.lua
mkdir -p "$OUT"
RESULTS=$OUT/results.jsonl
: >"$RESULTS"

if [ ! -f "$OUT/demo.db" ]; then
  echo "== templates: synth demo + ingest"
  rm -rf "$OUT/demo-dsn" "$OUT/work"
  "$BIN" synth --preset demo --out "$OUT/demo-dsn" --quiet
  "$BIN" --database-url "sqlite://$OUT/demo.db" ingest "$OUT/demo-dsn" \
    --sirene "$OUT/demo-dsn/sirene.csv" --work-dir "$OUT/work" --key-file "$OUT/key" --quiet
  rm -rf "$OUT/demo-dsn" "$OUT/work"
fi

SERVER_PID=
stop_server() {
  if [ -n "$SERVER_PID" ]; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=
  fi
}
trap stop_server EXIT

start_server() { # $1 = backend, $2 = database URL
  "$BIN" --database-url "$2" serve --addr "127.0.0.1:$PORT" >/dev/null 2>"$OUT/serve-$1.log" &
  SERVER_PID=$!
  for _ in $(seq 300); do
    curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null && return 0
    sleep 0.1
  done
  echo "server did not start, see $OUT/serve-$1.log" >&2
  exit 1
}

rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$SERVER_PID/status"; }
# VmRSS, RssAnon (heap: what a leak would grow) and RssFile (mapped SQLite file pages).
rss_line() { awk '/^(VmRSS|RssAnon|RssFile)/ {printf "%s ", $2}' "/proc/$SERVER_PID/status"; }

run_wrk() { # $1 = backend, $2 = kind, $3 = think ms, $4 = duration, $5 = clients
  local line
  line=$(wrk -t2 -c"$5" -d"$4" --timeout 10s -H 'Accept-Encoding: gzip' -s "$LUA" \
    "http://127.0.0.1:$PORT" -- "$2" "$OUT/basins.txt" "$3" | tail -n 1)
  echo "{\"backend\":\"$1\",\"kind\":\"$2\",\"think_ms\":$3,\"clients\":$5,\"load\":\"$(cut -d' ' -f1-3 /proc/loadavg)\",\"rss_kb\":$(rss_kb),\"wrk\":$line}" |
    tee -a "$RESULTS"
}

for backend in $BACKENDS; do
  case $backend in
    sqlite)
      url="sqlite://$OUT/bench.db"
      rm -f "$OUT"/bench.db*
      ;;
    postgres)
      url="$PG/ancrage_bench"
      dropdb --if-exists -h 127.0.0.1 -U postgres ancrage_bench
      createdb -h 127.0.0.1 -U postgres ancrage_bench
      ;;
    *) echo "unknown backend $backend" >&2; exit 2 ;;
  esac
  echo "== $backend: publishing $N establishments"
  "$BIN" --database-url "$url" bench-data --from "sqlite://$OUT/demo.db" --count "$N"
  start_server "$backend" "$url"
  curl -fs "http://127.0.0.1:$PORT/api/v1/basins" |
    python3 -c 'import json,sys; print("\n".join(b["basin"] for b in json.load(sys.stdin)))' \
      >"$OUT/basins.txt"
  echo "== $backend: $(wc -l <"$OUT/basins.txt") basins; server RSS $(rss_kb) kB"
  for kind in $KINDS; do
    wrk -t2 -c"$CONNS" -d"$WARMUP" -H 'Accept-Encoding: gzip' -s "$LUA" \
      "http://127.0.0.1:$PORT" -- "$kind" "$OUT/basins.txt" 0 >/dev/null
    run_wrk "$backend" "$kind" 0 "$DURATION" "$CONNS"
    run_wrk "$backend" "$kind" "$THINK_MS" "$DURATION" "$CONNS"
  done
  if [ "$backend" = sqlite ] && [ "$SOAK" -gt 0 ]; then
    echo "== soak: ${SOAK}s, list + fn + basins + compare together ($CONNS clients)"
    q=$((CONNS / 4))
    pids=()
    for kind in list fn basins compare; do
      run_wrk soak "$kind" 0 "${SOAK}s" "$q" >"$OUT/soak-$kind.json" &
      pids+=($!)
    done
    : >"$OUT/soak-rss.txt"
    for _ in $(seq $((SOAK / 10))); do
      echo "$(date +%s) $(rss_line)" >>"$OUT/soak-rss.txt"
      sleep 10
    done
    wait "${pids[@]}"
    echo "$(date +%s) $(rss_line)" >>"$OUT/soak-rss.txt"
    awk 'NR==1 {s=$2; a=$3} {if ($2>m) m=$2; if ($3>ma) ma=$3; e=$2; ea=$3}
      END {printf "soak RSS: start %.1f MB, end %.1f MB, max %.1f MB; anonymous: start %.1f MB, end %.1f MB, max %.1f MB (%d samples)\n",
        s/1024, e/1024, m/1024, a/1024, ea/1024, ma/1024, NR}' "$OUT/soak-rss.txt" | tee "$OUT/soak-summary.txt"
  fi
  stop_server
done

python3 - "$RESULTS" <<'EOF'
import json, sys
print("| backend | endpoint | pacing | requests | req/s | p50 | p99 | max | errors |")
print("|---|---|---|---|---|---|---|---|---|")
for line in open(sys.argv[1]):
    r = json.loads(line); w = r["wrk"]
    pacing = "back to back" if r["think_ms"] == 0 else f'{r["think_ms"]} ms pause'
    print(f'| {r["backend"]} | {r["kind"]} | {r["clients"]} clients, {pacing} | {w["requests"]} | '
          f'{w["rps"]} | {w["p50_ms"]:.1f} ms | {w["p99_ms"]:.1f} ms | {w["max_ms"]:.0f} ms | {w["errors"]} |')
EOF
