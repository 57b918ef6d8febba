"""What a command imports before it answers: `policing-qa ask` on the fast runtime, and
`--help`, never pay for torch, transformers or the server and Slack libraries."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.support import REPO

# Seconds each, on a small machine, and none of them is needed to answer one question.
HEAVY = (
    "torch",
    "transformers",
    "sentence_transformers",
    "langchain_core",
    "langchain_openai",
    "openai",
    "fastapi",
    "uvicorn",
    "slack_bolt",
    "mcp",
    "trafilatura",
)

# Runs a command in a fresh interpreter, then lists which heavy modules it imported.
SCRIPT = """
import json, sys
from bot.cli import main
try:
    main.main(sys.argv[1:], standalone_mode=False)
finally:
    print(json.dumps(sorted(m for m in {heavy!r} if m in sys.modules)))
"""


def _imported(*args: str, extra: tuple[str, ...] = ()) -> list[str]:
    script = SCRIPT.format(heavy=HEAVY + extra)
    done = subprocess.run(
        [sys.executable, "-c", script, *args], cwd=REPO, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.slow
def test_ask_on_the_fast_runtime_imports_no_torch(qa_store_dir, embedder):
    assert embedder.runtime == "onnx"  # and so its export is in the cache the command uses
    question = "Who was arrested after the shooting?"
    assert _imported("ask", "--store", str(qa_store_dir), question) == []


@pytest.mark.slow
@pytest.mark.parametrize("args", [["--help"], ["ask", "--help"]])
def test_help_imports_neither_a_model_nor_the_store(args):
    assert _imported(*args, extra=("onnxruntime", "chromadb", "numpy", "pydantic_settings")) == []


def test_the_command_list_says_what_each_docstring_opens_with():
    import click

    from bot.cli import COMMANDS, SUMMARIES, main

    assert set(SUMMARIES) == set(COMMANDS)
    ctx = click.Context(main)
    for name, summary in SUMMARIES.items():
        docstring = " ".join(main.get_command(ctx, name).help.split())
        assert docstring.startswith(summary), name
