#!/usr/bin/env bash
# Runs the project's pinned pnpm, installing it for this call when the machine has another (or none).
set -euo pipefail
# Native addons (better-sqlite3) compile against the local Node headers where they exist, so no download is
# needed on machines without internet; elsewhere node-gyp fetches a prebuilt binary as usual.
if [ -z "${npm_config_nodedir:-}" ] && [ -f /usr/include/node/node.h ]; then export npm_config_nodedir=/usr; fi
want=12.4.2
if command -v pnpm >/dev/null 2>&1 && [ "$(pnpm --version 2>/dev/null)" = "$want" ]; then
  exec pnpm "$@"
fi
exec npx -y "pnpm@$want" "$@"
