"""`policing-qa eval` on a tiny gold file over the small real store."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from bot.cli import main

GOLD = [
    {
        "id": "f1",
        "kind": "fact",
        "question": "How much did the 7th annual Tip a Cop fundraiser raise?",
        "sources": ["2017_11nov_2017_11_09.html"],
        "latest_source": None,
        "answer_keywords": ["$13,000"],
    },
    {
        "id": "l1",
        "kind": "latest",
        "question": "What is Daniel Jensen now charged with (Pritchard Avenue, C19-255700)?",
        "sources": ["2019_10oct_2019_10_31.html", "2019_11nov_2019_11_07.html"],
        "latest_source": "2019_11nov_2019_11_07.html",
        "answer_keywords": ["second degree murder"],
    },
    {
        "id": "u1",
        "kind": "unanswerable",
        "question": "What is the recipe for bannock?",
        "sources": [],
        "latest_source": None,
        "answer_keywords": [],
    },
]


def write_gold(path, lines) -> str:
    path.write_text("\n".join(x if isinstance(x, str) else json.dumps(x) for x in lines) + "\n")
    return str(path)


@pytest.mark.slow
def test_eval_reports_every_figure(tmp_path, qa_store_dir):
    gold = write_gold(tmp_path / "gold.jsonl", GOLD)
    result = CliRunner().invoke(main, ["eval", gold, "--store", str(qa_store_dir), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["questions"] == 3
    assert report["recall@5"] == 1.0 and 0 < report["mrr"] <= 1.0
    assert report["keyword_accuracy"] == 1.0
    assert report["by_kind"]["fact"]["direct_answer"] == 1.0  # "$13,000 [1]." comes first
    assert report["latest_accuracy"] == 1.0
    assert report["refused_unanswerable"] == 1.0 and report["refused_answerable"] == 0.0
    assert report["citation_validity"] == 1.0
    assert 0 < report["retrieval_ms_p50"] <= report["retrieval_ms_p95"]
    assert 0 < report["answer_ms_p50"] <= report["answer_ms_p95"]
    assert [r["id"] for r in report["rows"]] == ["f1", "l1", "u1"]


@pytest.mark.parametrize(
    ("answer", "direct"),
    [
        ("$13,000 [1].\n\nOver $13,000 was raised for Special Olympics [1].", "$13,000 [1]."),
        # No direct answer: the reply opens with the evidence, lists and all.
        ("He was charged with: [1]\n\n- Robbery [1]", None),
        ("Latest release on this case (2019-11-07): He was charged [1].", None),
    ],
)
def test_the_direct_answer_is_the_line_before_the_evidence(answer, direct):
    from bot.evaluation.run import opening

    assert opening(answer) == direct


@pytest.mark.slow
def test_eval_text_output_names_the_figures(tmp_path, qa_store_dir):
    gold = write_gold(tmp_path / "gold.jsonl", GOLD[2:])
    result = CliRunner().invoke(main, ["eval", gold, "--store", str(qa_store_dir)])
    assert result.exit_code == 0, result.output
    lines = {line.split()[0]: line.split() for line in result.stdout.splitlines() if line.strip()}
    assert lines["all"] == ["all", "unanswerable"]  # one column per kind asked
    refused = next(r for r in result.stdout.splitlines() if r.startswith("refused (unanswerable)"))
    assert refused.split()[-2:] == ["1.0", "1.0"]  # overall, and for the unanswerable kind
    recall = next(r for r in result.stdout.splitlines() if r.startswith("recall@5"))
    assert recall.split()[1:] == ["n/a", "n/a"]


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ('{"id": "x", "kind": ', "not valid JSON"),
        ('["a list"]', "should be a JSON object"),
        ({"id": "x", "kind": "fact", "sources": ["a.html"]}, "missing key 'question'"),
        ({"id": "x", "kind": "maybe", "question": "q?"}, "kind 'maybe' is not one of"),
        ({"id": "x", "kind": "fact", "question": "q?"}, "needs at least one source"),
        (
            {"id": "x", "kind": "latest", "question": "q?", "sources": ["a.html"]},
            "needs latest_source",
        ),
        ({"id": "f1", "kind": "unanswerable", "question": "q?"}, "'f1' is used twice"),
        (
            {"id": "x", "kind": "fact", "question": "q?", "sources": "a.html"},
            "'sources' should be a list",
        ),
    ],
)
def test_bad_gold_line_is_named(tmp_path, bad, message):
    gold = write_gold(tmp_path / "gold.jsonl", [GOLD[0], bad])
    result = CliRunner().invoke(main, ["eval", gold, "--store", str(tmp_path)])
    assert result.exit_code == 2
    assert f"{gold}:2" in result.output and message in result.output


def test_missing_gold_file_is_a_usage_error(tmp_path):
    result = CliRunner().invoke(main, ["eval", str(tmp_path / "nope.jsonl")])
    assert result.exit_code == 2 and "nope.jsonl" in result.output
