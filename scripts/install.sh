#!/usr/bin/env bash
# Installs the workspace once; later calls return at once while the lockfile is unchanged.
set -euo pipefail
cd "$(dirname "$0")/.."
stamp=node_modules/.ferry-installed
if [ -f "$stamp" ] && [ "$stamp" -nt pnpm-lock.yaml ]; then exit 0; fi
bash scripts/pnpm.sh install --frozen-lockfile --reporter=append-only
touch "$stamp"
