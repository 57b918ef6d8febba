#!/usr/bin/env bash
# Fresh machine to first answer: install, ingest the bundled samples, ask a question.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export HF_HUB_OFFLINE=1
.venv/bin/policing-qa ingest docs/samples/
.venv/bin/policing-qa ask "${1:-What was the suspect in C24-00731 finally charged with?}"
