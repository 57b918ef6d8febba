"""The MCP server through the official SDK's own clients, against the API tests' real
store and the real embedding model: over stdio (`python -m bot mcp` spawned as a client
spawns it) and over streamable HTTP at /mcp on the app `serve` composes, served by a
real uvicorn on 127.0.0.1."""

from __future__ import annotations

import datetime as dt
import json
import re
import sys
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import httpx2
import pytest
from anyio.from_thread import BlockingPortal, start_blocking_portal
from mcp import ClientSession, MCPError, StdioServerParameters, stdio_client
from mcp.client.streamable_http import streamable_http_client

from bot.api.app import create_app
from bot.api.web import build_web_router
from bot.cases.timeline import CaseBook
from tests.api_cases import KEYS, QUESTION
from tests.fakes.server import LiveServer
from tests.support import REPO, clean_settings

pytestmark = pytest.mark.slow  # every test starts a server process or uvicorn

GROW = "Grow Operation Arrests – R15-96971"  # the release that answers QUESTION
GROW_URL = "https://winnipeg.ca/police/press/2016/02feb/2016_02_10.aspx#grow"
TOOLS = {"search_publications", "ask", "get_publication", "case_timeline"}
# Spawned servers load the model from its package; nothing may reach for a hub.
OFFLINE = {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "PYTHONPATH": str(REPO)}


# --- clients ----------------------------------------------------------------------------


@dataclass
class Connection:
    """An initialized SDK client session, held open on a background event loop."""

    portal: BlockingPortal
    session: ClientSession
    errlog: Path | None = None

    def call(self, tool: str, arguments: dict):
        return self.portal.call(self.session.call_tool, tool, arguments)

    def read(self, uri: str) -> str:
        return self.portal.call(self.session.read_resource, uri).contents[0].text

    def tools(self) -> dict:
        return {t.name: t for t in self.portal.call(self.session.list_tools).tools}


@asynccontextmanager
async def initialized(read, write):
    async with ClientSession(read, write, read_timeout_seconds=120) as session:
        await session.initialize()
        yield session


@asynccontextmanager
async def over_stdio(command: str, args: list[str], errlog: Path):
    params = StdioServerParameters(command=command, args=args, env=OFFLINE, cwd=errlog.parent)
    with errlog.open("w") as err:
        async with stdio_client(params, errlog=err) as (read, write), initialized(read, write) as s:
            yield s


@asynccontextmanager
async def over_http(url: str, headers: dict | None = None):
    async with (
        httpx2.AsyncClient(headers=headers or {}, timeout=120) as http,
        streamable_http_client(url, http_client=http) as (read, write),
        initialized(read, write) as session,
    ):
        yield session


@contextmanager
def connected(client, errlog: Path | None = None):
    """A `Connection` through the async context manager `client`."""
    with start_blocking_portal() as portal, portal.wrap_async_context_manager(client) as session:
        yield Connection(portal, session, errlog)


def served_app(settings, builder):
    """The app `policing-qa serve` composes (Slack is not configured here)."""
    return create_app(settings, builder=builder, extra_routers=[build_web_router()])


# --- fixtures -----------------------------------------------------------------------------


class Builds:
    """A builder handing out the shared answerer, counting the times it is asked."""

    def __init__(self, answerer):
        self.answerer = answerer
        self.count = 0

    def __call__(self, settings):
        self.count += 1
        return self.answerer


@pytest.fixture(scope="module")
def server(api_store, api_answerer):
    builds = Builds(api_answerer)
    with LiveServer(served_app(api_store.settings, builds)) as live:
        live.builds = builds
        yield live


@pytest.fixture(scope="module")
def stdio_connection(api_store, tmp_path_factory):
    errlog = tmp_path_factory.mktemp("mcp-stdio") / "stderr.log"
    args = ["-m", "bot", "-v", "mcp", "--store", str(api_store.settings.store)]
    with connected(over_stdio(sys.executable, args, errlog), errlog) as connection:
        yield connection


@pytest.fixture(scope="module")
def http_connection(server):
    with connected(over_http(f"{server.url}/mcp")) as connection:
        yield connection


@pytest.fixture(scope="module", params=["stdio", "http"])
def mcp(request):
    return request.getfixturevalue(f"{request.param}_connection")


def structured(result) -> dict:
    assert not result.is_error, result.content[0].text
    assert json.loads(result.content[0].text) == result.structured_content
    return result.structured_content


def error_text(result) -> str:
    assert result.is_error, result.structured_content
    return result.content[0].text


# --- the tools and the resource -------------------------------------------------------------


def test_lists_the_tools_with_their_input_schemas(mcp):
    tools = mcp.tools()
    assert set(tools) == TOOLS
    search = tools["search_publications"].input_schema
    assert search["required"] == ["query"]
    limit = search["properties"]["limit"]
    assert (limit["minimum"], limit["maximum"], limit["default"]) == (1, 50, 10)
    assert {"type": "string", "format": "date"} in search["properties"]["since"]["anyOf"]
    assert tools["ask"].input_schema["required"] == ["question"]
    assert tools["get_publication"].input_schema["required"] == ["id_or_url"]
    assert tools["case_timeline"].input_schema["required"] == ["reference"]
    assert all(t.output_schema and t.annotations.read_only_hint for t in tools.values())
    templates = mcp.portal.call(mcp.session.list_resource_templates).resource_templates
    assert [t.uri_template for t in templates] == ["publication://{id}"]


def test_search_finds_the_right_release_first(mcp):
    body = structured(mcp.call("search_publications", {"query": QUESTION}))
    first = body["hits"][0]
    assert first["title"] == GROW
    assert (first["published"], first["url"]) == ("2016-02-10", GROW_URL)
    assert first["references"] == ["R15-96971"]
    assert first["issuer"] == "Winnipeg Police Service"
    assert "Driftwood Bay" in first["snippet"]
    ids = [hit["id"] for hit in body["hits"]]
    assert len(ids) == len(set(ids)) <= 10  # one hit per publication


def test_search_filters_by_date_issuer_and_limit(mcp):
    dated = {"query": "police", "since": "2016-01-01", "until": "2016-12-31"}
    hits = structured(mcp.call("search_publications", dated))["hits"]
    assert hits and all(h["published"].startswith("2016-") for h in hits)
    london = structured(mcp.call("search_publications", {"query": "police", "issuer": "london"}))
    assert london["hits"] and {h["issuer"] for h in london["hits"]} == {"Mayor of London"}
    two = structured(mcp.call("search_publications", {"query": "arrest", "limit": 2}))
    assert len(two["hits"]) == 2


def test_ask_gives_the_answer_that_ask_gives(mcp, api_answerer):
    body = structured(mcp.call("ask", {"question": QUESTION}))
    assert body == api_answerer.ask(QUESTION).model_dump(mode="json")
    assert body["refused"] is False and "338" in body["answer"]
    assert body["citations"][0]["title"] == GROW
    assert all(f"[{c['n']}]" in body["answer"] for c in body["citations"])
    window = {"question": QUESTION, "since": "2016-02-01", "until": "2016-02-29"}
    expected = api_answerer.ask(QUESTION, since=dt.date(2016, 2, 1), until=dt.date(2016, 2, 29))
    assert structured(mcp.call("ask", window)) == expected.model_dump(mode="json")


def test_get_publication_by_id_and_by_url(mcp):
    first = structured(mcp.call("search_publications", {"query": QUESTION, "limit": 1}))
    pid = first["hits"][0]["id"]
    by_id = structured(mcp.call("get_publication", {"id_or_url": pid}))
    assert by_id["title"] == GROW and by_id["url"] == GROW_URL
    assert "Driftwood Bay" in by_id["text"] and "338 Cannabis marihuana plants" in by_id["text"]
    assert structured(mcp.call("get_publication", {"id_or_url": GROW_URL})) == by_id
    page = GROW_URL.split("#")[0]  # a bulletin page: several releases, each named
    message = error_text(mcp.call("get_publication", {"id_or_url": page}))
    assert "is the URL of 2 publications" in message and pid in message


def test_reads_a_publication_resource(mcp):
    pid = structured(mcp.call("get_publication", {"id_or_url": GROW_URL}))["id"]
    text = mcp.read(f"publication://{pid}")
    header, _, body = text.partition("\n\n")
    assert header.splitlines()[:5] == [
        f"Title: {GROW}",
        "Published: 2016-02-10",
        f"URL: {GROW_URL}",
        "Issuer: Winnipeg Police Service",
        "Case numbers: R15-96971",
    ]
    assert body.startswith("Recently, members of the Marihuana Grow Operation Unit")
    with pytest.raises(MCPError, match="no publication with id 'no-such-id'"):
        mcp.read("publication://no-such-id")


def test_case_timeline_gives_the_cases_releases_with_what_they_added(mcp, api_answerer):
    body = structured(mcp.call("case_timeline", {"reference": "r15 96971"}))
    expected = CaseBook(api_answerer.store).timeline("R15-96971")
    assert body == expected.as_json()
    (entry,) = body["entries"]
    assert (entry["title"], entry["published"], entry["url"]) == (GROW, "2016-02-10", GROW_URL)
    assert entry["added"] and all(
        s in by_text(mcp, entry["publication_id"]) for s in entry["added"]
    )


def by_text(mcp, publication_id: str) -> str:
    return structured(mcp.call("get_publication", {"id_or_url": publication_id}))["text"]


# (tool, arguments, what the error says)
BAD_CALLS = [
    ("unknown tool", "get_case", {"case": "R15-96971"}, "unknown tool 'get_case'"),
    (
        "case no release mentions",
        "case_timeline",
        {"reference": "c99-000000"},
        "case_timeline: no release mentions C99-000000",
    ),
    (
        "not a case number",
        "case_timeline",
        {"reference": "the grow op"},
        "case_timeline: reference: 'the grow op' is not a case number; a case number looks "
        "like C19-255700",
    ),
    ("case argument misnamed", "case_timeline", {"case": "R15-96971"}, "unknown argument 'case'"),
    (
        "unknown publication id",
        "get_publication",
        {"id_or_url": "0123456789abcdef01234567"},
        "get_publication: no publication with id or URL '0123456789abcdef01234567'",
    ),
    (
        "limit zero",
        "search_publications",
        {"query": "arrest", "limit": 0},
        "limit: Input should be greater than or equal to 1 (got 0)",
    ),
    (
        "limit over 50",
        "search_publications",
        {"query": "arrest", "limit": 51},
        "limit: Input should be less than or equal to 50 (got 51)",
    ),
    (
        "malformed date",
        "search_publications",
        {"query": "arrest", "since": "31/10/2019"},
        "since: must be a date as YYYY-MM-DD, got '31/10/2019'",
    ),
    (
        "impossible date",
        "ask",
        {"question": "q", "until": "2019-02-30"},
        "until: '2019-02-30' is not a calendar date",
    ),
    (
        "empty query",
        "search_publications",
        {"query": ""},
        "search_publications: query: String should have at least 1 character",
    ),
    ("blank query", "search_publications", {"query": "  \n"}, "query: is empty"),
    ("missing question", "ask", {}, "ask: question is required"),
    (
        "window reversed",
        "ask",
        {"question": "q", "since": "2021-01-02", "until": "2021-01-01"},
        "ask: since (2021-01-02) is after until (2021-01-01)",
    ),
    (
        "unknown argument",
        "search_publications",
        {"query": "arrest", "limt": 3},
        "search_publications: unknown argument 'limt'",
    ),
    (
        "unknown issuer",
        "search_publications",
        {"query": "arrest", "issuer": "RCMP"},
        "issuer 'RCMP' matches no issuer; the issuers are: Mayor of London, Winnipeg",
    ),
    ("question too long", "ask", {"question": "x" * 2001}, "2,001 characters, over the limit"),
]


@pytest.mark.parametrize(
    ("case", "tool", "arguments", "message"), BAD_CALLS, ids=[c[0] for c in BAD_CALLS]
)
def test_bad_calls_are_tool_errors_naming_the_input(mcp, case, tool, arguments, message):
    assert message in error_text(mcp.call(tool, arguments))
    # The session goes on.
    assert structured(mcp.call("search_publications", {"query": QUESTION, "limit": 1}))["hits"]


# --- stdio ----------------------------------------------------------------------------------


def test_stdio_logs_go_to_stderr_and_stdout_carries_only_the_protocol(stdio_connection):
    # Started with -v: every INFO line went to stderr while the protocol above worked.
    structured(stdio_connection.call("search_publications", {"query": QUESTION}))
    logged = stdio_connection.errlog.read_text()
    assert "INFO bot.mcp.stdio: MCP server ready: 6 publications" in logged
    assert "INFO index.embed: loaded embedding model" in logged


def readme_entries() -> list[dict]:
    """The client configuration blocks of the README's "MCP server" section."""
    readme = (REPO / "README.md").read_text()
    section = readme.split("\n## MCP server\n", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```json\n(.*?)```", section, re.S)
    return [json.loads(block)["mcpServers"]["policing-qa"] for block in blocks]


def test_the_readme_stdio_entry_starts_the_server(api_store, tmp_path):
    entry = next(e for e in readme_entries() if "command" in e)
    assert entry["command"].endswith("/.venv/bin/policing-qa")
    command = str(Path(sys.executable).parent / "policing-qa")  # this checkout's venv
    store = str(api_store.settings.store)
    args = [store if a == "/path/to/store" else a for a in entry["args"]]
    assert args == ["mcp", "--store", store]
    with connected(over_stdio(command, args, tmp_path / "stderr.log")) as connection:
        assert set(connection.tools()) == TOOLS
        hits = structured(connection.call("search_publications", {"query": QUESTION}))["hits"]
        assert hits[0]["title"] == GROW


# --- HTTP -----------------------------------------------------------------------------------


def test_http_shares_one_answerer_with_the_api(server):
    resp = httpx.post(f"{server.url}/ask", json={"question": QUESTION}, timeout=60)
    assert resp.status_code == 200, resp.text
    with connected(over_http(f"{server.url}/mcp")) as connection:
        answer = structured(connection.call("ask", {"question": QUESTION}))
    assert answer == resp.json()
    assert server.builds.count == 1  # built once at start-up, for /ask and /mcp alike


@pytest.fixture(scope="module")
def keyed_server(api_store, api_answerer):
    keys = clean_settings(api_keys=KEYS).api_keys
    settings = api_store.settings.model_copy(update={"api_keys": keys})
    with LiveServer(served_app(settings, Builds(api_answerer))) as live:
        yield live


INITIALIZE = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {
        "protocolVersion": "2025-06-18",
        "capabilities": {},
        "clientInfo": {"name": "test", "version": "1"},
    },
}
MCP_HEADERS = {"accept": "application/json, text/event-stream"}


@pytest.mark.parametrize(
    ("authorization", "detail"),
    [
        (None, "missing API key: send 'Authorization: Bearer KEY'"),
        ("Bearer wrong-key-0123456789", "invalid API key"),
        (f"Basic {KEYS[0]}", "missing API key: send 'Authorization: Bearer KEY'"),
    ],
    ids=["no key", "wrong key", "not bearer"],
)
def test_mcp_over_http_refuses_a_missing_or_wrong_key(keyed_server, authorization, detail):
    headers = MCP_HEADERS | ({"authorization": authorization} if authorization else {})
    resp = httpx.post(f"{keyed_server.url}/mcp", json=INITIALIZE, headers=headers, timeout=30)
    assert resp.status_code == 401
    assert resp.json() == {"detail": detail}
    assert resp.headers["www-authenticate"].startswith("Bearer")


def test_the_sdk_client_needs_the_key(keyed_server):
    with pytest.raises(ExceptionGroup) as refused:  # raised out of the client's task groups
        with connected(over_http(f"{keyed_server.url}/mcp")):
            pass
    assert refused.group_contains(MCPError, match="Server returned an error response", depth=None)
    # The README's HTTP entry, pointed at this server with a configured key.
    entry = next(e for e in readme_entries() if "url" in e)
    assert urlsplit(entry["url"])[1:3] == ("127.0.0.1:8000", "/mcp")
    url = entry["url"].replace("http://127.0.0.1:8000", keyed_server.url)
    headers = {k: v.replace("KEY", KEYS[1]) for k, v in entry["headers"].items()}
    with connected(over_http(url, headers)) as connection:
        assert set(connection.tools()) == TOOLS
        assert structured(connection.call("ask", {"question": QUESTION}))["citations"]


@pytest.mark.parametrize(
    ("origin", "status"),
    [("http://evil.example", 403), ("http://localhost:6274", 200), (None, 200)],
    ids=["other site", "localhost page", "no origin"],
)
def test_mcp_over_http_refuses_pages_from_other_sites(server, origin, status):
    headers = MCP_HEADERS | ({"origin": origin} if origin else {})
    resp = httpx.post(f"{server.url}/mcp", json=INITIALIZE, headers=headers, timeout=30)
    assert resp.status_code == status, resp.text
    if status == 403:
        assert resp.json() == {"detail": "origin http://evil.example may not call /mcp"}


def test_mcp_calls_count_against_the_rate_limit(api_store, api_answerer):
    settings = api_store.settings.model_copy(update={"rate_limit": 2})
    with (
        LiveServer(served_app(settings, Builds(api_answerer))) as live,
        connected(over_http(f"{live.url}/mcp")) as connection,
    ):
        assert structured(connection.call("search_publications", {"query": QUESTION}))
        assert structured(connection.call("ask", {"question": QUESTION}))
        # Reading a publication costs no answer and is not counted.
        assert structured(connection.call("get_publication", {"id_or_url": GROW_URL}))
        message = error_text(connection.call("ask", {"question": QUESTION}))
    assert message.startswith("ask: too many questions: at most 2 a minute")
