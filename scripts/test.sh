#!/usr/bin/env bash
# Install the project with its test extras and the test browser, lint, and run the tests.
set -euo pipefail
cd "$(dirname "$0")/.."
EXTRA=test bash scripts/setup.sh
bash scripts/install-browser.sh
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1
.venv/bin/ruff check .
.venv/bin/python -m pytest "$@"
