#!/usr/bin/env bash
# Regenerates every generated file into a scratch copy and fails if it differs from what is committed:
# the CRD bundles, the cdk8s L1 bindings (src/imports) and the fleet JSON Schema.
set -euo pipefail
cd "$(dirname "$0")/.."
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

node scripts/bundle-crds.mjs >/dev/null
npx tsx scripts/generate-schemas.ts >/dev/null
# cdk8s-cli checks its own latest version over the network and prints an error when it cannot: harmless
npx cdk8s import --output "$scratch/imports" >/dev/null 2>&1 || { echo "cdk8s import failed" >&2; exit 1; }
diff -r "$scratch/imports" src/imports >/dev/null || { echo "src/imports differs from 'cdk8s import' of the vendored CRDs: run 'npm run import'" >&2; exit 1; }
if [ -n "$(git status --porcelain -- schemas/)" ]; then
  git status --short -- schemas/
  echo "schemas/ differs from its generators: run 'node scripts/bundle-crds.mjs' and 'npm run schemas'" >&2
  exit 1
fi
echo "generated files are fresh"
