#!/usr/bin/env bash
# The scale table, one line per row: streamed plans and flat memory
# (scale-stream.sh), lean storage, instant resume and backups
# (scale-lean.sh), reused workers, parallel efficiency and record rows
# (scale-workers.sh). Each part builds this tree and measures through the
# CLI (times and peak RSS via /usr/bin/time).
# Usage: bench/scale.sh [small]
#   small: 20,000 instead of 100,000 components where a row has a size
#   (minutes instead of most of an hour on 2 cores).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
if [ "${1:-}" = small ]; then
  "$here/scale-stream.sh" 20000
  "$here/scale-lean.sh" 20000
else
  "$here/scale-stream.sh"
  "$here/scale-lean.sh"
fi
"$here/scale-workers.sh"
