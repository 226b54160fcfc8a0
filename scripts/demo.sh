#!/usr/bin/env bash
# The demo: installs the workspace, then runs the sample pipeline (the bundled contacts CSV, cleaned into a local
# SQLite warehouse) and shows what happened and what to try next. Safe to run again: a second run writes only
# what changed.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install.sh

ferry() { node cli/bin/ferry.js "$@"; }
bold() { if [ -t 1 ]; then printf '\033[1m%s\033[0m\n' "$*"; else printf '%s\n' "$*"; fi; }

bold "== ferry validate: the project file and every pipeline"
ferry validate
echo

bold "== ferry run sample-contacts-to-warehouse"
set +e
ferry run sample-contacts-to-warehouse
code=$?
set -e
echo
if [ "$code" -ne 0 ] && [ "$code" -ne 1 ]; then
  echo "the run failed (exit $code); the log is .ferry/ferry.log" >&2
  exit "$code"
fi

bold "== what is in the warehouse (.ferry/warehouse.db, table contacts)"
# better-sqlite3 is a dependency of the end-to-end test package; any SQLite client can open the file too.
(cd test && node --input-type=module -e '
import Database from "better-sqlite3";
const db = new Database("../.ferry/warehouse.db", { readonly: true });
const { n } = db.prepare("SELECT count(*) AS n FROM contacts").get();
console.log(`${n} contacts in ${process.cwd().replace(/\/test$/, "")}/.ferry/warehouse.db`);
for (const row of db.prepare("SELECT id, full_name, email, phone, tags, signed_up_at FROM contacts ORDER BY id LIMIT 3").all()) {
  console.log(" ", JSON.stringify(row));
}
db.close();
')
echo

bold "== next commands to try"
cat <<'NEXT'
  node cli/bin/ferry.js run sample-contacts-to-warehouse          # again: nothing new to read, nothing written
  node cli/bin/ferry.js run sample-contacts-to-warehouse --full   # re-read everything: all rows unchanged
  node cli/bin/ferry.js plan sample-contacts-to-warehouse --full  # edit samples/contacts.csv first to see diffs
  node cli/bin/ferry.js status                                    # runs, checkpoints, dead letters
  node cli/bin/ferry.js catalog sqlite                            # what a connector offers
  node cli/bin/ferry.js --help                                    # every command and the exit codes
(`pnpm ferry <command>` works too.) The pipeline is pipelines/sample-contacts-to-warehouse.yaml; README.md explains its format.
NEXT
exit "$code"
