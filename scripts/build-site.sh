#!/usr/bin/env bash
# Build the browser bundle into the site root (default target/site) without
# cargo-leptos: cargo (wasm32) → wasm-bindgen → wasm-opt (npm binaryen) → copy
# static files and Leaflet from node_modules. See docs/build.md for why.
set -euo pipefail
cd "$(dirname "$0")/.."
SITE=${LEPTOS_SITE_ROOT:-target/site}
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"   # npm's wasm-opt before Debian's

cargo build -p frontend --lib --target wasm32-unknown-unknown --profile wasm-release
WASM=target/wasm32-unknown-unknown/wasm-release/frontend.wasm

rm -rf "$SITE.tmp" && mkdir -p "$SITE.tmp/pkg" "$SITE.tmp/vendor/leaflet" "$SITE.tmp/vendor/markercluster"
cp -r public/. "$SITE.tmp/"
wasm-bindgen --target web --out-name ancrage --out-dir "$SITE.tmp/pkg" "$WASM"
# HydrationScripts loads /pkg/ancrage.wasm.
mv "$SITE.tmp/pkg/ancrage_bg.wasm" "$SITE.tmp/pkg/ancrage.wasm"
wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int \
  "$SITE.tmp/pkg/ancrage.wasm" -o "$SITE.tmp/pkg/ancrage.wasm"
cp style/main.css "$SITE.tmp/pkg/ancrage.css"
cp node_modules/leaflet/dist/leaflet.js node_modules/leaflet/dist/leaflet.css "$SITE.tmp/vendor/leaflet/"
cp -r node_modules/leaflet/dist/images "$SITE.tmp/vendor/leaflet/"
cp node_modules/leaflet.markercluster/dist/leaflet.markercluster.js \
   node_modules/leaflet.markercluster/dist/MarkerCluster.css "$SITE.tmp/vendor/markercluster/"
if [ -d data/refdata/site ]; then cp -r data/refdata/site/. "$SITE.tmp/vendor/"; fi
# Compressed once here, at the best levels, instead of on every request: the
# server sends ancrage.wasm.br (or .gz) to a browser that accepts it.
node -e '
const fs = require("fs"), path = require("path"), zlib = require("zlib");
const walk = (d) => fs.readdirSync(d, { withFileTypes: true }).flatMap((e) =>
  e.isDirectory() ? walk(path.join(d, e.name)) : [path.join(d, e.name)]);
for (const f of walk(process.argv[1]).filter((f) => /\.(wasm|js|css|svg)$/.test(f))) {
  const raw = fs.readFileSync(f);
  fs.writeFileSync(f + ".gz", zlib.gzipSync(raw, { level: 9 }));
  fs.writeFileSync(f + ".br", zlib.brotliCompressSync(raw, { params: {
    [zlib.constants.BROTLI_PARAM_QUALITY]: 11,
    [zlib.constants.BROTLI_PARAM_SIZE_HINT]: raw.length } }));
}' "$SITE.tmp"
rm -rf "$SITE" && mv "$SITE.tmp" "$SITE"
echo "site built in $SITE ($(du -sh "$SITE" | cut -f1); wasm $(wc -c <"$SITE/pkg/ancrage.wasm.gz") bytes gzipped, $(wc -c <"$SITE/pkg/ancrage.wasm.br") with brotli)"
