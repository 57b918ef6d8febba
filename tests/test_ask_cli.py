"""`policing-qa ask`: the JSON answer shape, text output and usage errors."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from bot.cli import main

CITATION_KEYS = {"n", "title", "published", "url", "source", "issuer", "references", "quote"}


@pytest.mark.slow
def test_json_answer_has_the_shared_shape(qa_store_dir):
    result = CliRunner().invoke(
        main,
        [
            "ask",
            "What is the latest on C19-255700?",
            "--store",
            str(qa_store_dir),
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    answer = json.loads(result.stdout)
    assert set(answer) == {"question", "answer", "refused", "citations", "as_of"}
    assert answer["refused"] is False and answer["citations"]
    assert all(set(c) == CITATION_KEYS for c in answer["citations"])
    assert answer["as_of"] == max(c["published"] for c in answer["citations"])


@pytest.mark.slow
def test_text_answer_lists_numbered_sources(qa_store_dir):
    result = CliRunner().invoke(
        main,
        [
            "ask",
            "Who was arrested for the child stabbing on Pritchard Avenue?",
            "--store",
            str(qa_store_dir),
            "--until",
            "2019-10-31",
        ],
    )
    assert result.exit_code == 0, result.output
    answer, sources = result.stdout.split("\nSources:\n")
    assert "[1]" in answer
    assert sources.startswith("[1] ") and "https://" in sources


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--since", "2019-13-01"], "'2019-13-01' is not a date"),
        (["--until", "last week"], "'last week' is not a date"),
        (["--since", "2020-01-01", "--until", "2019-01-01"], "is after --until"),
    ],
)
def test_bad_dates_are_usage_errors(tmp_path, args, message):
    result = CliRunner().invoke(main, ["ask", "anything?", "--store", str(tmp_path), *args])
    assert result.exit_code == 2
    assert message in result.output


def test_empty_question_is_a_usage_error(tmp_path):
    result = CliRunner().invoke(main, ["ask", "  ", "--store", str(tmp_path)])
    assert result.exit_code == 2 and "QUESTION is empty" in result.output
