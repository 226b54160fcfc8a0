#!/usr/bin/env bash
# The scale-out campaign: test/scale-out.test.ts with GHL's real rate windows (100 calls per 10 s) and 201 calls per
# location, where the suite runs the same tests with windows five times faster and 151 calls per location. Three
# `ferry worker`s, 20 sandbox locations, a PostgreSQL store and warehouse, rate windows and the queue in Redis; about
# two minutes on two cores.
#
#   bash scripts/campaigns/scale-out.sh [vitest options]
set -euo pipefail
cd "$(dirname "$0")/../.."
bash scripts/services.sh
FERRY_SCALE_OUT_REAL_WINDOWS=1 bash scripts/pnpm.sh exec vitest run test/scale-out.test.ts "$@"
