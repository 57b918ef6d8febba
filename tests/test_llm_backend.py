"""The openai generator through the real client against a fake server on 127.0.0.1."""

from __future__ import annotations

import logging
import re
import time

import pytest

from bot.answer.answerer import Answerer, build_answerer, build_generator
from index.errors import BackendUnavailable, ConfigError
from index.models import Turn
from index.settings import Settings
from index.store import open_store
from prompts.loader import render
from tests.fakes.llm import Reply

QUESTION = "What is Daniel Jensen now charged with in C19-255700?"


@pytest.fixture(scope="module")
def extractive(qa_store_dir, embedder) -> Answerer:
    settings = Settings(store=qa_store_dir)
    return build_answerer(settings, store=open_store(settings), embedder=embedder)


def llm_settings(store, url: str, timeout: float = 3.0, **more) -> Settings:
    return Settings(
        store=store,
        generator="openai",
        openai_base_url=url,
        openai_model="fake-model",
        llm_timeout=timeout,
        **more,
    )


@pytest.fixture
def answerer(extractive, fake_llm, qa_store_dir) -> Answerer:
    """The extractive answerer's store and retriever with the openai generator."""
    settings = llm_settings(qa_store_dir, fake_llm.url)
    return Answerer(
        settings,
        extractive.store,
        extractive.embedder,
        extractive.retriever,
        build_generator(settings),
    )


def number_of(title: str, body: dict) -> str:
    """The [n] the prompt gave the release titled `title`."""
    prompt = body["messages"][-1]["content"]
    return re.search(rf'<source id="(\d+)">\nTitle: {re.escape(title)}\n', prompt).group(1)


def cites_update(body: dict) -> str:
    n = number_of("Homicide – Update: C19-255700", body)
    return (
        f"Daniel Jensen was arrested on a warrant for Second Degree Murder. [{n}] "
        f"He has been returned to custody [{n}]. He is 35 years old [{n}]."
    )


@pytest.mark.slow
def test_generated_answer_is_checked_and_renumbered(answerer, fake_llm):
    fake_llm.script(cites_update)
    answer = answerer.ask(QUESTION)
    assert answer.answer == (
        "Daniel Jensen was arrested on a warrant for Second Degree Murder "
        "[1]. He has been returned to custody [1]."
    )
    assert [c.n for c in answer.citations] == [1]
    assert answer.citations[0].published == answer.as_of == "2019-11-07"
    request = fake_llm.requests[-1]
    assert request["model"] == "fake-model" and request["stream"] is True
    assert "[n]" not in fake_llm.last_prompt() and f"Question: {QUESTION}" in fake_llm.last_prompt()


@pytest.mark.slow
def test_nothing_valid_falls_back_to_the_extractive_answer(answerer, extractive, fake_llm):
    fake_llm.script("Jensen was acquitted [7]. 99 people were charged [1]. It rained.")
    assert answerer.ask(QUESTION) == extractive.ask(QUESTION)
    assert len(fake_llm.requests) == 1


@pytest.mark.slow
def test_follow_up_is_condensed_then_answered(answerer, fake_llm):
    standalone = "What was Daniel Jensen charged with in C19-255700?"
    fake_llm.script(standalone, cites_update)
    history = [
        Turn(role="user", content="Who attacked the child on Pritchard Avenue (C19-255700)?"),
        Turn(role="assistant", content="Daniel Jensen, 33, was arrested [1]."),
    ]
    answer = answerer.ask("and was he charged?", history)
    condense, generate = fake_llm.requests
    assert "stream" not in condense or not condense["stream"]
    assert "Pritchard Avenue" in condense["messages"][0]["content"]
    assert "and was he charged?" in condense["messages"][0]["content"]
    assert f"Question: {standalone}" in generate["messages"][-1]["content"]
    assert answer.question == "and was he charged?"
    assert "Second Degree Murder [1]" in answer.answer


@pytest.mark.slow
@pytest.mark.parametrize("log_questions", [False, True], ids=["off", "on"])
def test_question_and_answer_text_reach_the_log_only_when_allowed(
    extractive, fake_llm, qa_store_dir, caplog, log_questions
):
    settings = llm_settings(qa_store_dir, fake_llm.url, log_questions=log_questions)
    answerer = Answerer(
        settings,
        extractive.store,
        extractive.embedder,
        extractive.retriever,
        build_generator(settings),
    )
    standalone = "What was Daniel Jensen charged with in C19-255700?"
    fake_llm.script(standalone, cites_update)  # its "35 years old" sentence is dropped
    history = [
        Turn(role="user", content="Who attacked the child on Pritchard Avenue (C19-255700)?"),
        Turn(role="assistant", content="Daniel Jensen, 33, was arrested [1]."),
    ]
    caplog.set_level(logging.DEBUG)
    answer = answerer.ask("and was he charged?", history)
    assert "Second Degree Murder" in answer.answer
    logged = "\n".join(r.getMessage() for r in caplog.records)
    ours = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("bot."))
    texts = (standalone, "He is 35 years old", "returned to custody", "was he charged")
    texts += ("Pritchard Avenue", "Daniel Jensen, 33")
    if log_questions:
        assert standalone in ours and "He is 35 years old" in ours
    else:
        assert [t for t in texts if t in logged] == []
    # Without the text, the lines still say what happened.
    assert "condensed a follow-up (2 earlier turns)" in ours
    assert "dropped generated sentence (1 numbers not in cited sources)" in ours


@pytest.mark.slow
def test_stream_yields_checked_sentences_one_by_one(answerer, fake_llm):
    fake_llm.script(cites_update)
    events = list(answerer.stream(QUESTION))
    deltas = [v for k, v in events if k == "delta"]
    assert len(deltas) == 2
    assert "".join(deltas) == events[-1][1].answer


@pytest.mark.slow
def test_weak_evidence_is_refused_without_asking_the_model(answerer, fake_llm):
    answer = answerer.ask("What is the recipe for bannock?")
    assert answer.refused and fake_llm.requests == []


@pytest.mark.slow
def test_unreachable_server_is_unavailable_then_recovers(answerer, fake_llm):
    fake_llm.stop()
    started = time.monotonic()
    with pytest.raises(BackendUnavailable, match="127.0.0.1"):
        answerer.ask(QUESTION)
    assert time.monotonic() - started < 30  # a refused connection fails at once, not a hang
    fake_llm.start()
    fake_llm.script(cites_update)
    assert not answerer.ask(QUESTION).refused


@pytest.mark.slow
def test_slow_server_times_out(extractive, fake_llm, qa_store_dir):
    settings = llm_settings(qa_store_dir, fake_llm.url, timeout=0.5)
    slow = Answerer(
        settings,
        extractive.store,
        extractive.embedder,
        extractive.retriever,
        build_generator(settings),
    )
    # The server would take a minute a try; the answer gives up long before that.
    fake_llm.script(Reply(delay=60), Reply(delay=60))
    started = time.monotonic()
    with pytest.raises(BackendUnavailable, match="within 0.5s"):
        slow.ask(QUESTION)
    assert time.monotonic() - started < 30


@pytest.mark.slow
@pytest.mark.parametrize(
    ("status", "error"), [(500, BackendUnavailable), (503, BackendUnavailable), (401, ConfigError)]
)
def test_server_errors_are_translated(answerer, fake_llm, status, error):
    fake_llm.script(Reply("nope", status=status), Reply("nope", status=status))
    with pytest.raises(error):
        answerer.ask(QUESTION)


def test_openai_needs_a_url_or_a_key(tmp_path):
    with pytest.raises(ConfigError, match="POLICING_QA_OPENAI_BASE_URL"):
        build_generator(Settings(store=tmp_path, generator="openai"))


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"history": "user: hi"}, r"needs \['question'\]"),
        ({"history": "", "question": "q", "extra": 1}, r"has no variables \['extra'\]"),
    ],
)
def test_prompt_loader_fails_loudly(values, message):
    with pytest.raises(ConfigError, match=message):
        render("condense", **values)


def test_missing_prompt_file_is_named():
    with pytest.raises(ConfigError, match="no_such_prompt"):
        render("no_such_prompt")
