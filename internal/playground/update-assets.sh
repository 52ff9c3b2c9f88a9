#!/usr/bin/env bash
# Re-fetches the vendored GraphiQL playground assets from the npm registry and
# copies the few files the playground serves into ./assets.
#
# The playground must work on machines without internet access, so Athar
# serves these files itself (embedded with embed.FS) instead of loading them
# from a CDN. The versions below are pinned so that the assets are
# reproducible; bump them together and re-run this script, then run
# `go test ./internal/playground/` (it checks assets/SHA256SUMS).
#
# GraphiQL 3.x is the last major version that ships a browser UMD build
# usable from a plain <script> tag (GraphiQL 4+ is ESM-only); it needs the
# React 18 UMD builds (React 19 no longer ships UMD builds).
#
# Requires: npm, tar, sha256sum.
set -euo pipefail

GRAPHIQL_VERSION=3.9.0
REACT_VERSION=18.3.1
REACT_DOM_VERSION=18.3.1

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
dest="$here/assets"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

cd "$tmp"
# npm pack downloads the exact published tarballs and verifies their
# integrity against the registry metadata; no install scripts are run.
npm pack --silent \
  "graphiql@$GRAPHIQL_VERSION" \
  "react@$REACT_VERSION" \
  "react-dom@$REACT_DOM_VERSION" >/dev/null

unpack() { # unpack NAME VERSION -> prints the package dir
  mkdir -p "$tmp/$1"
  tar -xzf "$tmp/$1-$2.tgz" -C "$tmp/$1"
  echo "$tmp/$1/package"
}
gq="$(unpack graphiql "$GRAPHIQL_VERSION")"
re="$(unpack react "$REACT_VERSION")"
rd="$(unpack react-dom "$REACT_DOM_VERSION")"

mkdir -p "$dest"
install -m 0644 "$gq/graphiql.min.js"                 "$dest/graphiql.min.js"
install -m 0644 "$gq/graphiql.min.css"                "$dest/graphiql.min.css"
install -m 0644 "$gq/LICENSE"                         "$dest/LICENSE-graphiql.txt"
install -m 0644 "$re/umd/react.production.min.js"     "$dest/react.production.min.js"
install -m 0644 "$re/LICENSE"                         "$dest/LICENSE-react.txt"
install -m 0644 "$rd/umd/react-dom.production.min.js" "$dest/react-dom.production.min.js"
install -m 0644 "$rd/LICENSE"                         "$dest/LICENSE-react-dom.txt"

cd "$dest"
{
  echo "# graphiql@$GRAPHIQL_VERSION react@$REACT_VERSION react-dom@$REACT_DOM_VERSION (from the npm registry; see ../update-assets.sh)"
  sha256sum graphiql.min.js graphiql.min.css LICENSE-graphiql.txt \
    react.production.min.js LICENSE-react.txt \
    react-dom.production.min.js LICENSE-react-dom.txt
} >SHA256SUMS
cat SHA256SUMS
