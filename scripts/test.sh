#!/usr/bin/env bash
# The test command: installs when needed, then type-checks, lints (type-aware, import boundaries) and runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
# The scale-out tests need Redis and PostgreSQL on 127.0.0.1.
bash scripts/services.sh
bash scripts/pnpm.sh run typecheck
bash scripts/pnpm.sh run lint
bash scripts/pnpm.sh exec vitest run "$@"
