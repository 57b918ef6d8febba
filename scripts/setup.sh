#!/usr/bin/env bash
# Create .venv and install the project into it (idempotent). EXTRA selects extras, e.g. "test".
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
  .venv/bin/pip install --quiet --upgrade pip
fi
# torch is pinned in pyproject.toml; installing it first keeps pip on the CPU build.
.venv/bin/pip install --quiet "torch==2.13.0"
if [ -n "${EXTRA:-}" ]; then
  .venv/bin/pip install --quiet -e ".[${EXTRA}]"
else
  .venv/bin/pip install --quiet -e .
fi
