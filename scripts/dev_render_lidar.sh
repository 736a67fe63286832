#!/usr/bin/env bash
# Development of the lidar-perception gap while it is not in the catalog yet
# (templates/lidar-perception/WIP.md): render it with stock cookiecutter into $1
# (default /tmp/lidar-dev) and run pytest there on the given test files, in this repo's venv.
#   bash scripts/dev_render_lidar.sh /tmp/lidar-me tests/test_kitti_eval.py
set -euo pipefail
REPO="$(cd "$(dirname "$0")/.." && pwd)"
OUT="${1:-/tmp/lidar-dev}"; shift || true
rm -rf "$OUT" && mkdir -p "$OUT"
"$REPO/.venv/bin/cookiecutter" --no-input -o "$OUT" "$REPO/templates" --directory lidar-perception >/dev/null
cd "$OUT/lidar-perception"
if [ "$#" -gt 0 ]; then
  PYTHONPATH=src "$REPO/.venv/bin/python" -m pytest -q -p no:cacheprovider "$@"
fi
