#!/usr/bin/env bash
# Installs the workspace once; later calls skip the install while the lockfile is unchanged.
set -euo pipefail
cd "$(dirname "$0")/.."
stamp=node_modules/.ferry-installed
if ! { [ -f "$stamp" ] && [ "$stamp" -nt pnpm-lock.yaml ]; }; then
  bash scripts/pnpm.sh install --frozen-lockfile --reporter=append-only
  touch "$stamp"
fi
# The studio's web app (studio/dist), rebuilt when a source under studio/web or studio/shared is newer than it.
if [ ! -f studio/dist/index.html ] || [ -n "$(find studio/web studio/shared -newer studio/dist/index.html -print -quit)" ]; then
  bash scripts/pnpm.sh --filter @ferry/studio build
fi
