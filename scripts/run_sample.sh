#!/usr/bin/env bash
# Create or update .venv (pip install -e .), ingest the bundled fictional sample articles into a fresh
# SQLite ledger (sample.db, or $VEILLEUR_SAMPLE_DB) and print the events table and the sample score.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/ensure_venv.sh
. scripts/ensure_venv.sh
ensure_venv

db="${VEILLEUR_SAMPLE_DB:-sample.db}"
rm -f "$db" "$db-wal" "$db-shm"
status=0
.venv/bin/veilleur --db "$db" ingest samples/articles.jsonl samples/pages || status=$?
.venv/bin/veilleur --db "$db" events
echo
echo "score against the hand-coded samples/gold.json:"
.venv/bin/veilleur --db "$db" eval samples/gold.json | tail -n 1
echo
echo "ledger: $db  (try: .venv/bin/veilleur --db $db events --show EVENT_ID)"
exit "$status"
