"""Drive Debian's headless Chromium with Playwright (the app is served by `server.LiveServer`).

No browser is downloaded: Playwright's Python package brings only its driver, and the
browser is `/usr/bin/chromium` from apt (`scripts/install-browser.sh` installs both).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
# Quiet, offline-friendly start: no first-run UI, no update or sync traffic, no QUIC probes.
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
INSTALL_HINT = "run scripts/install-browser.sh (apt chromium + pip playwright)"


def require_browser():
    """Playwright's sync API, or a test failure saying how to install what is missing."""
    if not CHROMIUM.is_file() and not shutil.which("chromium"):
        pytest.fail(f"Chromium is not installed at {CHROMIUM}: {INSTALL_HINT}")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail(f"the Python package 'playwright' is not installed: {INSTALL_HINT}")
    return sync_playwright


def launch(playwright):
    """Chromium from apt; Playwright gives each launch a fresh temporary user-data-dir."""
    executable = str(CHROMIUM) if CHROMIUM.is_file() else shutil.which("chromium")
    return playwright.chromium.launch(executable_path=executable, headless=True, args=FLAGS)


class AskRecorder:
    """The JSON bodies and Authorization headers of every /ask/stream request a page sends."""

    def __init__(self, page):
        self.bodies: list[dict] = []
        self.auth: list[str | None] = []
        page.on("request", self._seen)

    def _seen(self, request):
        if request.method == "POST" and request.url.endswith("/ask/stream"):
            self.bodies.append(json.loads(request.post_data or "{}"))
            self.auth.append(request.headers.get("authorization"))


def ask(page, question: str, timeout: float = 60_000):
    """Type a question, send it with Enter, wait until its turn is settled; return the turn."""
    before = page.locator("#conversation > li").count()
    page.fill("#question", question)
    page.press("#question", "Enter")
    turn = page.locator("#conversation > li").nth(before)
    turn.wait_for()
    page.wait_for_function(
        "n => { const t = document.querySelectorAll('#conversation > li')[n];"
        " return t && !t.classList.contains('pending'); }",
        arg=before,
        timeout=timeout,
    )
    return turn


def source_cards(turn) -> list[dict]:
    """What each source card of a turn shows: title, date, link, quote, issuer and date line."""
    return turn.locator(".source").evaluate_all(
        """cards => cards.map(c => ({
            id: c.id,
            title: c.querySelector('h3').innerText.replace(/^\\[\\d+\\]\\s*/, ''),
            published: c.querySelector('time')?.getAttribute('datetime') ?? null,
            href: c.querySelector('h3 a')?.getAttribute('href') ?? null,
            quote: c.querySelector('blockquote').textContent,
            meta: c.querySelector('.meta').textContent,
        }))"""
    )


def case_timeline(page, timeout: float = 30_000) -> dict:
    """The case dialog once loaded: its heading, summary or error, and each release shown."""
    page.locator("#case-dialog").wait_for(state="visible", timeout=timeout)
    page.wait_for_selector("#case-body[aria-busy=false]", timeout=timeout)
    return page.locator("#case-dialog").evaluate(
        """d => ({
            title: d.querySelector('#case-title').textContent,
            summary: d.querySelector('.case-summary')?.textContent ?? null,
            error: d.querySelector('.case-error')?.textContent ?? null,
            releases: [...d.querySelectorAll('.case-release')].map(r => ({
                title: r.querySelector('h3').textContent,
                href: r.querySelector('h3 a')?.getAttribute('href') ?? null,
                published: r.querySelector('time')?.getAttribute('datetime') ?? null,
                meta: r.querySelector('.meta').textContent,
                added: [...r.querySelectorAll('.case-added li')].map(li => li.textContent),
            })),
        })"""
    )
