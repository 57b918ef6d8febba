#!/usr/bin/env bash
# Install what the web page's browser tests drive: Debian's chromium + chromium-driver (apt)
# and Playwright's Python package (its driver only) into .venv. Idempotent, and quick when
# both are present. No browser is ever downloaded: the tests launch /usr/bin/chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
PLAYWRIGHT=${PLAYWRIGHT:-"playwright>=1.45"}

have_debs() {
  dpkg-query -W -f='${Status}\n' chromium chromium-driver 2>/dev/null \
    | grep -c "install ok installed" | grep -qx 2
}

if ! have_debs || [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" -eq 0 ]; then
    SUDO=()
  elif command -v sudo >/dev/null; then
    SUDO=(sudo)
  else
    echo "install-browser: need root (or sudo) to apt-get install chromium chromium-driver" >&2
    exit 1
  fi
  echo "install-browser: installing chromium and chromium-driver with apt-get"
  "${SUDO[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${SUDO[@]}" apt-get install -y -qq --no-install-recommends \
    chromium chromium-driver >/dev/null
fi

if [ ! -x .venv/bin/python ]; then
  echo "install-browser: no .venv here; run scripts/setup.sh first" >&2
  exit 1
fi
if ! .venv/bin/python -c "import playwright.sync_api" 2>/dev/null; then
  echo "install-browser: installing $PLAYWRIGHT into .venv"
  # The wheel carries Playwright's driver; browsers stay out (PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD).
  PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 .venv/bin/pip install --quiet "$PLAYWRIGHT"
fi

# Prove it starts, headless and offline, the way the tests launch it.
.venv/bin/python - <<'EOF'
from playwright.sync_api import sync_playwright

with sync_playwright() as p:
    browser = p.chromium.launch(
        executable_path="/usr/bin/chromium",
        args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
    )
    print(f"install-browser: chromium {browser.version} ready for playwright")
    browser.close()
EOF
