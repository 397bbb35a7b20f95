#!/usr/bin/env bash
# vendor-uplot.sh - refreshes the charting library the web view embeds
# (web/static/vendor/): uPlot's minified script and styles, its licence,
# and VERSION. It takes the package from the npm registry with `npm pack`
# (no install, no build), so the Go build stays the only build step.
#
#   scripts/vendor-uplot.sh            # the version in web/static/vendor/VERSION
#   scripts/vendor-uplot.sh 1.6.32     # another version
set -euo pipefail
cd "$(dirname "$0")/.."
dest=web/static/vendor
version=${1:-$(sed -n 's/^uplot \([0-9.]*\).*/\1/p' "$dest/VERSION")}
[ -n "$version" ] || { echo "vendor-uplot.sh: no version given and none in $dest/VERSION" >&2; exit 2; }
command -v npm >/dev/null || { echo "vendor-uplot.sh: npm is needed (apt-get install -y npm)" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "uplot@$version" >/dev/null && tar xzf uplot-"$version".tgz)
cp "$tmp/package/dist/uPlot.iife.min.js" "$tmp/package/dist/uPlot.min.css" "$tmp/package/LICENSE" "$dest/"
sum=$(sha256sum "$tmp/uplot-$version.tgz" | cut -d' ' -f1)
cat >"$dest/VERSION" <<NOTE
uplot $version (npm package "uplot", https://github.com/leeoniya/uPlot, MIT: LICENSE)
files: dist/uPlot.iife.min.js, dist/uPlot.min.css, LICENSE, unchanged
package sha256: $sum
refreshed by scripts/vendor-uplot.sh
NOTE
echo "uplot $version vendored into $dest"
