#!/usr/bin/env bash
# The demo: installs the workspace, then starts the simulated GoHighLevel and Salesmsg APIs and `ferry serve` on
# 127.0.0.1, runs the project's flows (scripts/demo/main.ts) and shows what each one did. Each demo starts from a
# fresh .ferry/demo (store, warehouse, log) and freshly seeded sandboxes; every process it starts is stopped when
# it ends, also on Ctrl-C. Options: --state <dir> (instead of .ferry/demo), --report <file.json> (the counts as JSON).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install.sh

exec node --import tsx scripts/demo/main.ts "$@"
