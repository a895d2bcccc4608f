#!/usr/bin/env bash
# Build Ancrage (release), generate a synthetic territory (once), publish it and
# serve the map. Prints the URL to open. Ctrl-C stops the server.
#   ANCRAGE_ADDR=127.0.0.1:3000 scripts/demo.sh [--regenerate]
set -euo pipefail
cd "$(dirname "$0")/.."
t0=$(date +%s)
scripts/setup.sh
scripts/build-site.sh
cargo build --release -p server
echo "== build done in $(( $(date +%s) - t0 )) s"
exec target/release/ancrage demo --addr "${ANCRAGE_ADDR:-127.0.0.1:3000}" "$@"
