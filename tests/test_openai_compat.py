"""The OpenAI-compatible routes, asked by real OpenAI clients (the `openai` SDK and
LangChain's ChatOpenAI) over a real uvicorn on 127.0.0.1 and the API tests' real store."""

from __future__ import annotations

import json
import logging
import re

import httpx
import openai
import pytest

from bot.api.app import create_app
from index.errors import BackendUnavailable
from index.models import Turn
from index.store import open_store
from tests.api_cases import KEYS, QUESTION
from tests.fakes.llm import FakeLLM, Reply
from tests.fakes.server import LiveServer
from tests.support import clean_settings

pytestmark = pytest.mark.slow  # every test serves the app with uvicorn

SYSTEM = {"role": "system", "content": "You are a helpful assistant. Answer briefly."}
FOLLOW_UP = "What were they worth?"


def client_for(server, key="no-key-configured") -> openai.OpenAI:
    # No retries: a test must see the first answer, not the third.
    return openai.OpenAI(base_url=server.url + "/v1", api_key=key, max_retries=0, timeout=60)


def expected_content(answer) -> str:
    """The reply content these routes promise: the answer, then numbered sources."""
    lines = [f"[{c.n}] {c.title} — {c.published} — {c.url or c.source}" for c in answer.citations]
    return answer.answer + "\n\nSources:\n" + "\n".join(lines)


@pytest.fixture(scope="module")
def server(api_store, api_answerer):
    with LiveServer(create_app(api_store.settings, api_answerer)) as live:
        yield live


@pytest.fixture(scope="module")
def client(server):
    return client_for(server)


@pytest.fixture(scope="module")
def keyed_server(api_store, api_answerer):
    keys = clean_settings(api_keys=KEYS).api_keys
    settings = api_store.settings.model_copy(update={"api_keys": keys})
    with LiveServer(create_app(settings, api_answerer)) as live:
        yield live


@pytest.fixture(scope="module")
def expected(api_answerer):
    return api_answerer.ask(QUESTION)


def test_models_list_the_one_model(client):
    assert [m.id for m in client.models.list()] == ["policing-qa"]
    model = client.models.retrieve("policing-qa")
    assert (model.id, model.object, model.owned_by) == ("policing-qa", "model", "policing-qa")
    with pytest.raises(openai.NotFoundError) as caught:
        client.models.retrieve("policing-qa-openai")  # no LLM configured
    assert caught.value.code == "model_not_found"


def test_completion_answers_with_numbered_sources(client, expected, embedder):
    completion = client.chat.completions.create(
        model="policing-qa", messages=[SYSTEM, {"role": "user", "content": QUESTION}]
    )
    content = completion.choices[0].message.content
    assert not expected.refused and expected.citations
    assert content == expected_content(expected)
    assert "\n\nSources:\n[1] Grow Operation Arrests" in content and "https://" in content
    assert completion.model_extra["citations"] == [
        c.model_dump(mode="json") for c in expected.citations
    ]
    assert completion.id.startswith("chatcmpl-") and completion.object == "chat.completion"
    assert completion.model == "policing-qa"
    assert (completion.choices[0].finish_reason, completion.choices[0].message.role) == (
        "stop",
        "assistant",
    )
    prompt = embedder.count_tokens(SYSTEM["content"]) + embedder.count_tokens(QUESTION)
    assert completion.usage.prompt_tokens == prompt
    assert completion.usage.completion_tokens == embedder.count_tokens(content)
    assert completion.usage.total_tokens == prompt + completion.usage.completion_tokens


def test_text_parts_are_joined_into_the_question(client, expected):
    parts = [{"type": "text", "text": QUESTION}]
    completion = client.chat.completions.create(
        model="policing-qa", messages=[{"role": "user", "content": parts}]
    )
    assert completion.choices[0].message.content == expected_content(expected)


def test_stream_assembles_the_same_content_and_ends_cleanly(client, expected):
    whole = client.chat.completions.create(
        model="policing-qa", messages=[{"role": "user", "content": QUESTION}]
    )
    stream = client.chat.completions.create(
        model="policing-qa",
        messages=[{"role": "user", "content": QUESTION}],
        stream=True,
        stream_options={"include_usage": True},
    )
    chunks = list(stream)
    assert chunks[0].choices[0].delta.role == "assistant"
    assert len({c.id for c in chunks}) == 1 and chunks[0].object == "chat.completion.chunk"
    with_content = [c for c in chunks if c.choices and c.choices[0].delta.content]
    text = "".join(c.choices[0].delta.content for c in with_content)
    assert text == whole.choices[0].message.content == expected_content(expected)
    # The sources come last, with the citations themselves.
    assert with_content[-1].choices[0].delta.content.startswith("\n\nSources:\n[1] ")
    assert with_content[-1].model_extra["citations"] == whole.model_extra["citations"]
    *_, finish, usage = chunks
    assert finish.choices[0].finish_reason == "stop" and not finish.choices[0].delta.content
    assert usage.choices == [] and usage.usage == whole.usage


def test_stream_wire_format_ends_with_done(server):
    body = {"model": "policing-qa", "messages": [{"role": "user", "content": QUESTION}]}
    with httpx.stream(
        "POST", server.url + "/v1/chat/completions", json={**body, "stream": True}, timeout=60
    ) as resp:
        assert resp.status_code == 200
        assert resp.headers["content-type"].startswith("text/event-stream")
        raw = resp.read().decode()
    events = [e for e in raw.split("\n\n") if e and not e.startswith(":")]
    assert all(e.startswith("data: ") for e in events), events
    assert events[-1] == "data: [DONE]"
    assert json.loads(events[-2][6:])["choices"][0]["finish_reason"] == "stop"
    assert "usage" not in json.loads(events[0][6:])  # only with stream_options.include_usage


def test_follow_up_uses_the_history(client, api_answerer, expected):
    first = client.chat.completions.create(
        model="policing-qa", messages=[{"role": "user", "content": QUESTION}]
    )
    earlier = first.choices[0].message.content
    follow_up = client.chat.completions.create(
        model="policing-qa",
        messages=[
            SYSTEM,
            {"role": "user", "content": QUESTION},
            {"role": "assistant", "content": earlier},
            {"role": "user", "content": FOLLOW_UP},
        ],
    )
    # The history /ask would be given: the earlier answer without its source list.
    history = [Turn(role="user", content=QUESTION), Turn(role="assistant", content=expected.answer)]
    answer = api_answerer.ask(FOLLOW_UP, history)
    content = follow_up.choices[0].message.content
    assert content == expected_content(answer)
    assert content.startswith("$378,560.00 [1].")
    assert api_answerer.ask(FOLLOW_UP).refused  # alone, the follow-up means nothing


def test_wrong_key_is_refused_and_a_right_key_answers(keyed_server):
    wrong = client_for(keyed_server, "not-a-key")
    with pytest.raises(openai.AuthenticationError) as caught:
        wrong.chat.completions.create(
            model="policing-qa", messages=[{"role": "user", "content": QUESTION}]
        )
    assert caught.value.code == "invalid_api_key" and "API key" in caught.value.message
    with pytest.raises(openai.AuthenticationError):
        wrong.models.list()
    right = client_for(keyed_server, KEYS[1])
    assert [m.id for m in right.models.list()] == ["policing-qa"]
    completion = right.chat.completions.create(
        model="policing-qa", messages=[{"role": "user", "content": QUESTION}]
    )
    assert completion.model_extra["citations"]


def test_answers_share_the_rate_limit_of_ask(api_store, api_answerer):
    settings = api_store.settings.model_copy(update={"rate_limit": 2})
    with LiveServer(create_app(settings, api_answerer)) as live:
        client = client_for(live)
        user = [{"role": "user", "content": QUESTION}]
        client.chat.completions.create(model="policing-qa", messages=user)
        # One bucket per client: the same bearer token (the API is open) on /ask.
        auth = {"Authorization": f"Bearer {client.api_key}"}
        ask = httpx.post(live.url + "/ask", json={"question": QUESTION}, headers=auth)
        assert ask.status_code == 200
        with pytest.raises(openai.RateLimitError) as caught:
            client.chat.completions.create(model="policing-qa", messages=user)
        assert caught.value.code == "rate_limit_exceeded"
        assert int(caught.value.response.headers["retry-after"]) >= 1
        assert client.models.list().data  # listing models costs no answer


USER = {"role": "user", "content": QUESTION}
IMAGE = {"type": "image_url", "image_url": {"url": "https://example.org/a.png"}}
# (id, request fields, error class, text the message must contain, param)
BAD_INPUTS = [
    ("empty messages", {"messages": []}, openai.BadRequestError, "messages is empty", "messages"),
    (
        "last from assistant",
        {"messages": [USER, {"role": "assistant", "content": "Hello."}]},
        openai.BadRequestError,
        "last message is from 'assistant'",
        "messages[1].role",
    ),
    (
        "no user message",
        {"messages": [SYSTEM]},
        openai.BadRequestError,
        "last message is from 'system'",
        "messages[0].role",
    ),
    (
        "blank question",
        {"messages": [{"role": "user", "content": "  "}]},
        openai.BadRequestError,
        "last user message is empty",
        "messages[0].content",
    ),
    (
        "unknown role",
        {"messages": [{"role": "robot", "content": "hi"}, USER]},
        openai.BadRequestError,
        "role 'robot'",
        "messages[0].role",
    ),
    (
        "tool message",
        {"messages": [USER, {"role": "tool", "content": "42", "tool_call_id": "x"}, USER]},
        openai.BadRequestError,
        "role 'tool'",
        "messages[1].role",
    ),
    (
        "tools given",
        {
            "messages": [USER],
            "tools": [{"type": "function", "function": {"name": "f", "parameters": {}}}],
        },
        openai.BadRequestError,
        "tools (function calling) are not supported",
        "tools",
    ),
    ("n=2", {"messages": [USER], "n": 2}, openai.BadRequestError, "n=2", "n"),
    (
        "image part",
        {"messages": [{"role": "user", "content": [{"type": "text", "text": QUESTION}, IMAGE]}]},
        openai.BadRequestError,
        "'image_url' part",
        "messages[0].content[1]",
    ),
    (
        "json response format",
        {"messages": [USER], "response_format": {"type": "json_object"}},
        openai.BadRequestError,
        "response_format 'json_object'",
        "response_format",
    ),
    ("logprobs", {"messages": [USER], "logprobs": True}, openai.BadRequestError, "logprobs", None),
    (
        "messages not a list",
        {"messages": "hello"},
        openai.BadRequestError,
        "messages: Input should be a valid list",
        "messages",
    ),
    (
        "unknown model",
        {"messages": [USER], "model": "gpt-4o"},
        openai.NotFoundError,
        "the model 'gpt-4o' does not exist",
        "model",
    ),
]


@pytest.mark.parametrize(
    ("case", "fields", "error", "message", "param"), BAD_INPUTS, ids=[c[0] for c in BAD_INPUTS]
)
def test_bad_input_names_the_problem(client, case, fields, error, message, param):
    with pytest.raises(error) as caught:
        client.chat.completions.create(**{"model": "policing-qa", **fields})
    assert message in caught.value.message
    assert caught.value.type == "invalid_request_error"
    if param:
        assert caught.value.param == param


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b'{"model": "policing-qa", "messages": [', "not valid JSON"),
        (b'{"messages": []}', "model is required"),
        (b'{"model": "policing-qa", "messages": [{"content": "hi"}]}', "messages[0].role"),
    ],
    ids=["malformed JSON", "no model", "no role"],
)
def test_schema_errors_are_400_in_openai_shape(server, body, message):
    resp = httpx.post(
        server.url + "/v1/chat/completions",
        content=body,
        headers={"content-type": "application/json"},
    )
    assert resp.status_code == 400, resp.text
    error = resp.json()["error"]
    assert set(error) == {"message", "type", "param", "code"}
    assert message in error["message"] and error["type"] == "invalid_request_error"
    # The other routes keep their own errors.
    assert httpx.post(server.url + "/ask", content=body).status_code == 422


def test_a_long_conversation_fits_and_an_oversize_one_is_413_in_openai_shape(client, api_store):
    limit = api_store.settings.max_body_bytes
    turns = []
    for n in range(150):  # a long chat: well over /ask's limit, well under the chat limit
        turns += [
            {"role": "user", "content": f"Question {n}: " + "what happened next? " * 40},
            {"role": "assistant", "content": f"Answer {n}: " + "it was reported. " * 40},
        ]
    messages = [*turns, {"role": "user", "content": QUESTION}]
    assert len(json.dumps(messages)) > 2 * limit
    completion = client.chat.completions.create(model="policing-qa", messages=messages)
    assert completion.choices[0].message.content

    huge = [{"role": "user", "content": "x" * (20 * limit)}]
    with pytest.raises(openai.APIStatusError) as caught:
        client.chat.completions.create(model="policing-qa", messages=huge)
    assert caught.value.status_code == 413 and caught.value.code == "request_too_large"
    assert "over the limit" in caught.value.message


def test_question_is_not_logged(client, caplog):
    caplog.set_level(logging.INFO)
    with pytest.raises(openai.BadRequestError):
        client.chat.completions.create(
            model="policing-qa", messages=[{"role": "user", "content": "quokka"}], n=3
        )
    client.chat.completions.create(
        model="policing-qa", messages=[{"role": "user", "content": "zebra crossing quokka"}]
    )
    assert "path=/v1/chat/completions status=200" in caplog.text
    assert "status=400" in caplog.text and "quokka" not in caplog.text


def test_langchain_chat_openai_invokes_and_streams(server, expected):
    from langchain_openai import ChatOpenAI

    chat = ChatOpenAI(
        model="policing-qa", base_url=server.url + "/v1", api_key="unused", max_retries=0
    )
    assert chat.invoke(QUESTION).content == expected_content(expected)
    assert "".join(chunk.content for chunk in chat.stream(QUESTION)) == expected_content(expected)


class BreaksMidStream:
    """The real answerer, whose stream fails once the first text is out (an LLM gone)."""

    def __init__(self, answerer):
        self.answerer = answerer
        self.embedder = answerer.embedder
        self.generator = None

    def stream(self, *args, **kwargs):
        events = self.answerer.stream(*args, **kwargs)
        yield next(events)
        raise BackendUnavailable("connection reset by 127.0.0.1:9")


def test_error_mid_stream_is_an_error_event_then_the_end(api_store, api_answerer):
    app = create_app(api_store.settings, BreaksMidStream(api_answerer))
    with LiveServer(app) as live:
        stream = client_for(live).chat.completions.create(
            model="policing-qa", messages=[{"role": "user", "content": QUESTION}], stream=True
        )
        got = []
        with pytest.raises(openai.APIError) as caught:
            for chunk in stream:
                got.append(chunk)
        assert got[0].choices[0].delta.role == "assistant" and got[1].choices[0].delta.content
        assert "the answer backend is not responding" in caught.value.message
        assert "127.0.0.1" not in caught.value.message  # internals stay in the log
        assert caught.value.body["type"] == "server_error"


GENERATED = "A search resulted in the seizure of 338 Cannabis marihuana plants"


def quotes_the_grow_release(body: dict) -> str:
    """The fake LLM's reply: a sentence of the grow release, cited by the [n] it was given."""
    prompt = body["messages"][-1]["content"]
    title = re.escape("Grow Operation Arrests – R15-96971")
    n = re.search(rf'<source id="(\d+)">\nTitle: {title}\n', prompt).group(1)
    return f"{GENERATED} [{n}]."


@pytest.fixture(scope="module")
def llm_server(api_store, embedder):
    """The app with the openai generator, its LLM a fake server on 127.0.0.1."""
    from bot.answer.answerer import build_answerer

    fake = FakeLLM().start()
    fake.default = Reply(quotes_the_grow_release)
    settings = api_store.settings.model_copy(
        update={"generator": "openai", "openai_base_url": fake.url, "llm_timeout": 5.0}
    )
    answerer = build_answerer(settings, store=open_store(settings), embedder=embedder)
    with LiveServer(create_app(settings, answerer)) as live:
        yield live, fake
    fake.stop()


def test_llm_model_is_offered_and_used_only_when_configured(llm_server, expected):
    live, fake = llm_server
    client = client_for(live)
    assert [m.id for m in client.models.list()] == ["policing-qa", "policing-qa-openai"]
    user = [{"role": "user", "content": QUESTION}]
    asked = len(fake.requests)
    generated = client.chat.completions.create(model="policing-qa-openai", messages=user)
    assert len(fake.requests) == asked + 1
    content = generated.choices[0].message.content
    assert content.startswith(f"{GENERATED} [1].\n\nSources:\n[1] Grow Operation Arrests")
    # `policing-qa` on the same server quotes the releases and never calls the LLM.
    extractive = client.chat.completions.create(model="policing-qa", messages=user)
    assert len(fake.requests) == asked + 1
    assert extractive.choices[0].message.content == expected_content(expected)
