#!/usr/bin/env bash
# Install the project with its test extras, lint, and run the test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
EXTRA=test bash scripts/setup.sh
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1
.venv/bin/ruff check .
.venv/bin/python -m pytest "$@"
