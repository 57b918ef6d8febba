"""The web chat page end to end: headless Chromium against the app under a real uvicorn,
over a store of the bundled samples plus one release whose text holds a script tag."""

from __future__ import annotations

import datetime as dt
import json
import time

import httpx
import pytest

from bot.answer.answerer import build_answerer
from bot.api.app import create_app
from bot.api.web import build_web_router
from bot.cases.timeline import CaseBook
from index.models import Turn
from index.store import open_store
from tests.fakes.browser import (
    AskRecorder,
    ask,
    case_timeline,
    launch,
    require_browser,
    source_cards,
)
from tests.fakes.server import LiveServer
from tests.support import REPO, SAMPLES, clean_settings, free_port

pytestmark = pytest.mark.slow  # a store built with the real model, uvicorn and Chromium

QUESTION = "When was the fire at the Pier Street warehouse?"
FOLLOW_UP = "What was he charged with?"
OFF_TOPIC = "What is the speed limit on the moon?"
SCRIPT_QUESTION = "What did the note left at the Quayside bakery read?"
SCRIPT = "<script>alert(1)</script>"
KEY = "web-test-key-0123456789abcdef"
SCREENSHOT = REPO / "bench" / "out" / "web-answer.png"
# A real case of the corpus (4 releases in the `qa_store_dir` store) and a question citing it.
CASE = "C19-255700"
CASE_QUESTION = "Who was arrested for the child stabbing on Pritchard Avenue?"
CASE_SCREENSHOT = REPO / "bench" / "out" / "case-timeline.png"

# A fictional release whose text carries markup that must be shown, never run.
SCRIPT_RELEASE = f"""---
title: Note left at Quayside bakery break-in – C24-01190
date: 2024-04-12
issuer: Harbour City Police
url: https://police.harbour-city.example/news/2024/04/quayside-bakery/
---
A handwritten note reading "{SCRIPT}" was left on the till of the Quayside bakery on \
Rope Walk after a break-in on April 11, 2024.

Officers believe the burglar meant the note as a joke about computers.
"""


@pytest.fixture(scope="module")
def web_settings(tmp_path_factory, embedder):
    from ingest.pipeline import Ingestor

    root = tmp_path_factory.mktemp("web")
    release = root / "quayside-note.md"
    release.write_text(SCRIPT_RELEASE, encoding="utf-8")
    settings = clean_settings(store=root / "store")
    report = Ingestor(open_store(settings), embedder).run([str(SAMPLES), str(release)])
    assert report.failed == [] and report.publications >= 5, report
    return settings


@pytest.fixture(scope="module")
def answerer(web_settings, embedder):
    return build_answerer(web_settings, store=open_store(web_settings), embedder=embedder)


def serve(settings, answerer) -> LiveServer:
    return LiveServer(create_app(settings, answerer, extra_routers=[build_web_router()]))


@pytest.fixture(scope="module")
def site(web_settings, answerer):
    with serve(web_settings, answerer) as server:
        yield server


@pytest.fixture(scope="module")
def browser():
    sync_playwright = require_browser()
    with sync_playwright() as playwright:
        chromium = launch(playwright)
        yield chromium
        chromium.close()


class Page:
    """A fresh browser context on one site, watching for dialogs and script errors."""

    def __init__(self, browser, url: str, width: int = 1280, height: int = 900, fragment=""):
        self.context = browser.new_context(viewport={"width": width, "height": height})
        self.page = self.context.new_page()
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        self.page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("console", self._console)
        self.asks = AskRecorder(self.page)
        # Works offline: nothing may be fetched from anywhere but the app itself.
        self.page.on(
            "request",
            lambda r: r.url.startswith(url) or self.errors.append(f"off-site request: {r.url}"),
        )
        self.page.goto(url + fragment)  # a fragment ("#case=...") the page opens with
        self.page.wait_for_selector("#freshness:not(:empty)")

    def _console(self, message):
        # Chromium itself logs every non-2xx response; only the page's own errors count.
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            self.errors.append(message.text)


@pytest.fixture
def open_page(browser):
    opened: list[Page] = []

    def _open(url: str, **size) -> Page:
        opened.append(Page(browser, url, **size))
        return opened[-1]

    yield _open
    for page in opened:
        page.context.close()
        assert page.errors == [], f"the page logged errors: {page.errors}"


def test_page_and_static_files_are_served_with_a_strict_policy(web_settings, answerer):
    from fastapi.testclient import TestClient

    with TestClient(create_app(web_settings, answerer, extra_routers=[build_web_router()])) as c:
        page = c.get("/")
        assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
        assert "script-src 'self'" in page.headers["content-security-policy"]
        assert "default-src 'none'" in page.headers["content-security-policy"]
        for name, kind in [("app.js", "text/javascript"), ("app.css", "text/css")]:
            resp = c.get(f"/static/{name}")
            assert resp.status_code == 200 and resp.headers["content-type"].startswith(kind)
            assert f"/static/{name}" in page.text
        assert c.head("/").status_code == 200
        assert c.get("/healthz").json() == {"status": "ok"}  # the API's routes still win


@pytest.mark.parametrize(
    "path", ["/static/nope.js", "/static/..%2Fweb.py", "/static/%2E%2E/api.py", "/static/"]
)
def test_only_shipped_static_files_are_served(web_settings, answerer, path):
    from fastapi.testclient import TestClient

    with TestClient(create_app(web_settings, answerer, extra_routers=[build_web_router()])) as c:
        resp = c.get(path)
    assert resp.status_code == 404, resp.text
    assert "def " not in resp.text


def streamed_text(url: str, body: dict) -> str:
    """The answer text exactly as /ask/stream sent it, delta by delta."""
    text = []
    with httpx.stream("POST", url + "/ask/stream", json=body, timeout=60) as resp:
        kind = None
        for line in resp.iter_lines():
            if line.startswith("event:"):
                kind = line[6:].strip()
            elif line.startswith("data:") and kind == "delta":
                text.append(json.loads(line[5:])["text"])
    return "".join(text)


def test_answer_streams_with_numbered_source_cards(site, open_page, answerer):
    expected = answerer.ask(QUESTION)
    assert not expected.refused and len(expected.citations) >= 2
    web = open_page(site.url)
    turn = ask(web.page, QUESTION)

    assert web.asks.bodies == [{"question": QUESTION, "history": []}]
    shown = turn.locator(".answer-text").inner_text()
    assert (
        shown.strip()
        == expected.answer.strip()
        == streamed_text(site.url, {"question": QUESTION}).strip()
    )
    cards = source_cards(turn)
    assert [c["title"] for c in cards] == [c.title for c in expected.citations]
    assert [c["published"] for c in cards] == [c.published for c in expected.citations]
    assert [c["href"] for c in cards] == [c.url for c in expected.citations]
    assert [c["quote"] for c in cards] == [c.quote for c in expected.citations]
    assert any(c["href"] for c in cards), "no source card links to its release"
    for card, citation in zip(cards, expected.citations, strict=True):
        assert (citation.issuer or "") in card["meta"]
    as_of = turn.locator(".as-of time")
    assert as_of.get_attribute("datetime") == expected.as_of
    assert "As of" in turn.locator(".as-of").inner_text()
    assert turn.locator(".answer-text").get_attribute("aria-live") == "polite"
    assert turn.locator(".answer-text").get_attribute("aria-busy") == "false"
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    web.page.set_viewport_size({"width": 1280, "height": 1200})
    web.page.screenshot(path=str(SCREENSHOT))
    print(f"\nscreenshot of the page answering {QUESTION!r}: {SCREENSHOT}")


PARSE_IN_PIECES_JS = """async ([raw, size]) => {
    const { sseEvents } = await import("/static/sse.js");
    const bytes = new TextEncoder().encode(raw);
    const body = new ReadableStream({ start(c) {
        for (let i = 0; i < bytes.length; i += size) c.enqueue(bytes.slice(i, i + size));
        c.close(); } });
    const got = [];
    for await (const e of sseEvents(new Response(body))) got.push([e.event, e.data]);
    return got;
}"""


@pytest.mark.parametrize("size", [1, 2, 3, 7, 64])
def test_stream_parser_survives_any_chunking(site, open_page, size):
    with httpx.stream("POST", site.url + "/ask/stream", json={"question": QUESTION}) as resp:
        raw = resp.read().decode()
    assert "\r\n" in raw  # sse-starlette ends lines with CRLF: the split may fall between
    # A keep-alive comment and a two-line data field, as any SSE server may send them.
    raw = ": ping\r\n\r\n" + raw + 'event: delta\r\ndata: {"text":\r\ndata: "x"}\r\n\r\n'
    expected = [(e["event"], e["data"]) for e in sse_blocks(raw)]
    web = open_page(site.url)
    got = web.page.evaluate(PARSE_IN_PIECES_JS, [raw, size])
    assert [tuple(e) for e in got] == expected
    assert [e[0] for e in got][-3:] == ["citations", "done", "delta"]


def sse_blocks(raw: str) -> list[dict]:
    """Events of a whole text/event-stream body, parsed at once (the reference)."""
    events = []
    for block in raw.replace("\r\n", "\n").split("\n\n"):
        kind, data = "message", []
        for line in block.split("\n"):
            if line.startswith("event:"):
                kind = line[6:].strip()
            elif line.startswith("data:"):
                data.append(line[5:].removeprefix(" "))
        if data:
            events.append({"event": kind, "data": "\n".join(data)})
    return events


def test_citation_link_focuses_its_card_at_phone_width(site, open_page):
    web = open_page(site.url, width=360, height=640)
    turn = ask(web.page, QUESTION)
    links = turn.locator(".answer-text a.cite")
    assert links.count() >= 2
    last = links.nth(links.count() - 1)
    target = last.get_attribute("href").lstrip("#")
    last.focus()
    web.page.keyboard.press("Enter")
    web.page.wait_for_function("id => document.activeElement?.id === id", arg=target)
    # The card is on screen and not hidden behind anything (its top left is its own).
    web.page.wait_for_function(
        """id => { const card = document.getElementById(id), r = card.getBoundingClientRect();
            const hit = document.elementFromPoint(r.left + 8, r.top + 8);
            return r.top >= 0 && r.top < innerHeight && card.contains(hit); }""",
        arg=target,
    )
    # Nothing wider than the phone: no sideways scrolling.
    width = web.page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360


def test_follow_up_sends_the_conversation_as_history(site, open_page, answerer):
    web = open_page(site.url)
    first = ask(web.page, QUESTION)
    first_text = first.locator(".answer-text").inner_text().strip()
    second = ask(web.page, FOLLOW_UP)

    history = [{"role": "user", "content": QUESTION}, {"role": "assistant", "content": first_text}]
    assert web.asks.bodies[1] == {"question": FOLLOW_UP, "history": history}
    expected = answerer.ask(FOLLOW_UP, [Turn(**t) for t in history])
    assert second.locator(".answer-text").inner_text().strip() == expected.answer.strip()

    web.page.click("#new-conversation")
    assert web.page.locator("#conversation > li").count() == 0
    ask(web.page, FOLLOW_UP)
    assert web.asks.bodies[2]["history"] == []


def test_date_filters_are_sent_and_applied(site, open_page, answerer):
    web = open_page(site.url)
    web.page.fill("#since", "2024-03-05")
    web.page.fill("#until", "2024-04-30")
    turn = ask(web.page, QUESTION)
    assert web.asks.bodies[0] == {
        "question": QUESTION,
        "history": [],
        "since": "2024-03-05",
        "until": "2024-04-30",
    }
    expected = answerer.ask(QUESTION, since=dt.date(2024, 3, 5), until=dt.date(2024, 4, 30))
    dates = turn.locator(".source time").evaluate_all("ts => ts.map(t => t.dateTime)")
    assert dates == [c.published for c in expected.citations]
    assert all("2024-03-05" <= d <= "2024-04-30" for d in dates)


def test_refusal_is_shown_as_a_refusal(site, open_page, answerer):
    expected = answerer.ask(OFF_TOPIC)
    assert expected.refused
    web = open_page(site.url)
    turn = ask(web.page, OFF_TOPIC)
    assert "refused" in turn.get_attribute("class")
    assert turn.locator(".answer-label").inner_text() == "Not found in the publications"
    assert turn.locator(".answer-text").inner_text().strip() == expected.answer.strip()
    assert turn.locator(".source").count() == 0 and turn.locator(".as-of").count() == 0
    answered = ask(web.page, QUESTION)
    colours = [
        t.locator(".reply").evaluate("e => getComputedStyle(e).backgroundColor")
        for t in (turn, answered)
    ]
    assert colours[0] != colours[1], "a refusal looks the same as an answer"


def test_script_in_a_release_shows_as_text(site, open_page):
    web = open_page(site.url)
    turn = ask(web.page, SCRIPT_QUESTION)
    assert SCRIPT in turn.locator(".answer-text").inner_text()
    assert SCRIPT in turn.locator(".source blockquote").first.text_content()
    assert web.page.evaluate("document.querySelectorAll('script').length") == 1
    assert web.page.locator("#conversation script, #conversation [onerror]").count() == 0
    assert web.dialogs == []


@pytest.mark.parametrize(
    ("case", "fill", "shown"),
    [
        (
            "dates in the wrong order (422)",
            {"#since": "2024-05-01", "#until": "2024-01-01"},
            "since (2024-05-01) is after until (2024-01-01)",
        ),
        ("question too long (413)", {"#question": "why " * 600}, "over the limit of 2,000"),
    ],
    ids=lambda v: v if isinstance(v, str) and "(" in v else "",
)
def test_rejected_question_shows_the_reason(site, open_page, case, fill, shown):
    web = open_page(site.url)
    question = fill.pop("#question", QUESTION)
    for selector, value in fill.items():
        web.page.fill(selector, value)
    turn = ask(web.page, question)
    assert "failed" in turn.get_attribute("class")
    assert shown in web.page.locator("#notice").inner_text()
    assert web.page.locator("#notice").get_attribute("role") == "alert"
    assert web.page.input_value("#question") == question.strip()  # kept to fix and resend


def test_network_down_is_shown(site, open_page):
    web = open_page(site.url)
    web.context.set_offline(True)
    ask(web.page, QUESTION)
    assert "Could not reach the service" in web.page.locator("#notice").inner_text()
    web.context.set_offline(False)
    assert "failed" not in ask(web.page, QUESTION).get_attribute("class")


def test_backend_down_is_503_try_again(web_settings, embedder, open_page):
    # The hosted LLM is unreachable: nothing listens on its port.
    settings = web_settings.model_copy(
        update={
            "generator": "openai",
            "openai_base_url": f"http://127.0.0.1:{free_port()}/v1",
            "llm_timeout": 1.0,
        }
    )
    answerer = build_answerer(settings, store=open_store(settings), embedder=embedder)
    with serve(settings, answerer) as server:
        web = open_page(server.url)
        turn = ask(web.page, QUESTION)
        notice = web.page.locator("#notice").inner_text()
    assert "failed" in turn.get_attribute("class")
    assert "unavailable" in notice and "try again" in notice


def test_api_key_is_asked_once_and_reasked_when_wrong(web_settings, answerer, open_page):
    settings = web_settings.model_copy(update={"api_keys": clean_settings(api_keys=[KEY]).api_keys})
    with serve(settings, answerer) as server:
        web = open_page(server.url)
        page = web.page
        page.fill("#question", QUESTION)
        page.press("#question", "Enter")
        dialog = page.locator("#key-dialog")
        dialog.wait_for(state="visible")
        assert page.evaluate("document.activeElement.id") == "api-key"
        assert page.locator("label[for=api-key]").inner_text() == "API key"
        page.fill("#api-key", "not-the-key-000000")
        page.press("#api-key", "Enter")
        page.wait_for_selector("#key-error:not([hidden])")
        assert "invalid API key" in page.locator("#key-error").inner_text()
        page.fill("#api-key", KEY)
        page.click("#key-ok")
        page.wait_for_selector("#conversation > li:not(.pending)")
        assert "failed" not in page.locator("#conversation > li").first.get_attribute("class")
        ask(page, FOLLOW_UP)  # the key is kept: no second prompt
        stored = page.evaluate(
            "[sessionStorage.getItem('policing-qa.api-key'), localStorage.length]"
        )
        page.click("#new-conversation")
    assert web.asks.auth == [None, "Bearer not-the-key-000000", f"Bearer {KEY}", f"Bearer {KEY}"]
    assert stored == [KEY, 0]


def test_api_key_cancel_says_a_key_is_needed(web_settings, answerer, open_page):
    settings = web_settings.model_copy(update={"api_keys": clean_settings(api_keys=[KEY]).api_keys})
    with serve(settings, answerer) as server:
        web = open_page(server.url)
        web.page.fill("#question", QUESTION)
        web.page.press("#question", "Enter")
        web.page.locator("#key-dialog").wait_for(state="visible")
        web.page.keyboard.press("Escape")
        web.page.wait_for_selector("#conversation > li.failed")
        assert "An API key is needed" in web.page.locator("#notice").inner_text()


FOCUS_JS = """() => { const e = document.activeElement, s = getComputedStyle(e);
    return [e.id || e.className, s.outlineStyle !== 'none' && s.outlineWidth !== '0px']; }"""
UNLABELLED_JS = """() => [...document.querySelectorAll('input, textarea, button')]
    .filter(e => !(e.labels?.length || e.getAttribute('aria-label') || e.textContent.trim()))
    .map(e => e.id)"""


def test_keyboard_order_labels_and_visible_focus(site, open_page):
    web = open_page(site.url, width=360, height=640)
    order: list[list] = []
    # A date input takes one Tab per field (month, day, year): count each control once.
    for _ in range(12):
        web.page.keyboard.press("Tab")
        focused = web.page.evaluate(FOCUS_JS)
        if not order or order[-1][0] != focused[0]:
            order.append(focused)
        if focused[0] == "until":
            break
    names = [name for name, _ in order]
    assert names == ["skip", "new-conversation", "question", "send", "since", "until"]
    assert all(visible for _, visible in order), f"focus not visible on: {order}"
    assert web.page.evaluate(UNLABELLED_JS) == []


def test_text_contrast_meets_wcag_aa(site, open_page):
    web = open_page(site.url)
    ask(web.page, QUESTION)
    ask(web.page, OFF_TOPIC)
    web.page.evaluate("document.getElementById('notice').hidden = false")
    web.page.evaluate("document.getElementById('notice').textContent = 'x'")
    low = web.page.evaluate(CONTRAST_JS)
    assert low == [], f"text below 4.5:1 contrast: {low}"


# Every visible text node's colour against the first opaque background behind it.
CONTRAST_JS = """() => {
  const rgb = s => s.match(/[\\d.]+/g).map(Number);
  const lum = ([r, g, b]) => [r, g, b].map(v => { v /= 255;
    return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; })
    .reduce((a, v, i) => a + v * [0.2126, 0.7152, 0.0722][i], 0);
  const bg = e => { for (; e; e = e.parentElement) {
    const c = rgb(getComputedStyle(e).backgroundColor);
    if (c.length < 4 || c[3] > 0) return c; } return [255, 255, 255]; };
  const low = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n; (n = walker.nextNode());) {
    const e = n.parentElement;
    if (!n.textContent.trim() || !e.checkVisibility()) continue;
    if (e.closest('.visually-hidden, .skip')) continue;
    const [a, b] = [lum(rgb(getComputedStyle(e).color)), lum(bg(e))];
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    if (ratio < 4.5) low.push(`${e.tagName}.${e.className}: ${ratio.toFixed(2)}`);
  }
  return low;
}"""


# --- case timelines -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def case_store(qa_store_dir, embedder):
    settings = clean_settings(store=qa_store_dir)
    return settings, build_answerer(settings, store=open_store(settings), embedder=embedder)


@pytest.fixture(scope="module")
def case_site(case_store):
    with serve(*case_store) as server:
        yield server


def assert_shows(shown: dict, timeline) -> None:
    """The dialog shows the timeline's releases, oldest first, each with what it added."""
    entries = timeline.entries
    assert shown["title"] == f"Case {timeline.key}" and shown["error"] is None
    assert shown["summary"] == f"{len(entries)} releases, oldest first"
    releases = shown["releases"]
    assert [r["title"] for r in releases] == [e.title for e in entries]
    dates = [r["published"] for r in releases]
    assert dates == [e.published.isoformat() for e in entries] == sorted(dates)
    assert [r["href"] for r in releases] == [e.url for e in entries]
    assert [r["added"] for r in releases] == [e.added for e in entries]


def test_a_cited_case_number_opens_the_cases_timeline(case_site, case_store, open_page):
    timeline = CaseBook(case_store[1].store).timeline(CASE)
    assert len(timeline.entries) == 4
    web = open_page(case_site.url)
    turn = ask(web.page, CASE_QUESTION)
    link = turn.locator(".source .refs a.case-link", has_text=CASE).first
    assert link.get_attribute("href") == f"#case={CASE}"
    link.click()
    shown = case_timeline(web.page)
    assert_shows(shown, timeline)
    assert web.page.evaluate("location.hash") == f"#case={CASE}"  # a link to it
    CASE_SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    web.page.screenshot(path=str(CASE_SCREENSHOT))
    print(f"\nscreenshot of the timeline of {CASE}: {CASE_SCREENSHOT}")
    web.page.keyboard.press("Escape")
    web.page.locator("#case-dialog").wait_for(state="hidden")
    assert web.page.evaluate("document.activeElement.textContent") == CASE  # back where it was
    # The dialog's close event (a task after it hides) takes the case out of the address.
    deadline = time.monotonic() + 5
    while web.page.evaluate("location.hash") and time.monotonic() < deadline:
        web.page.wait_for_timeout(50)  # the page's CSP forbids wait_for_function's eval
    assert web.page.evaluate("location.hash") == ""


def test_a_link_to_a_case_opens_it_and_an_unknown_case_says_so(case_site, case_store, open_page):
    web = open_page(case_site.url, fragment="/#case=c17-161171")
    assert_shows(case_timeline(web.page), CaseBook(case_store[1].store).timeline("C17-161171"))
    unknown = open_page(case_site.url, fragment="/#case=C99-000000")
    shown = case_timeline(unknown.page)
    assert shown["error"] == "No release in the publications mentions C99-000000."
    assert shown["releases"] == []


def test_a_case_timeline_asks_for_the_api_key(case_store, open_page):
    settings, answerer = case_store
    settings = settings.model_copy(update={"api_keys": clean_settings(api_keys=[KEY]).api_keys})
    with serve(settings, answerer) as server:
        web = open_page(server.url, fragment=f"/#case={CASE}")
        sent = []
        web.page.on(
            "request",
            lambda r: "/cases/" in r.url and sent.append(r.headers.get("authorization")),
        )
        web.page.locator("#key-dialog").wait_for(state="visible")
        web.page.fill("#api-key", KEY)
        web.page.click("#key-ok")
        shown = case_timeline(web.page)
    assert len(shown["releases"]) == 4 and shown["error"] is None
    assert sent[-1] == f"Bearer {KEY}"


def test_script_in_a_release_shows_as_text_in_its_timeline(site, open_page):
    web = open_page(site.url, fragment="/#case=C24-01190")
    shown = case_timeline(web.page)
    assert any(SCRIPT in sentence for r in shown["releases"] for sentence in r["added"])
    assert web.page.evaluate("document.querySelectorAll('script').length") == 1
    assert web.page.locator("#case-dialog script, #case-dialog [onerror]").count() == 0
    assert web.dialogs == []
