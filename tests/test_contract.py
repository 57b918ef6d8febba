"""The OpenAPI document is the server's real contract: a contract fuzzer (schemathesis)
runs every route against a live server, with and without API keys, and finds no server
error, no undocumented status, no accepted bad input and no rejected good one."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.api.app import create_app
from tests.api_cases import KEYS
from tests.fakes.server import LiveServer
from tests.support import REPO, clean_settings

pytestmark = pytest.mark.slow  # a live server and a few hundred generated requests


def fuzz(server, *headers: str) -> subprocess.CompletedProcess:
    st = Path(sys.executable).parent / "st"
    cmd = [str(st), "run", f"{server.url}/openapi.json", "--checks", "all", "-n", "25",
           "--seed", "1", "--request-timeout", "60"]  # fmt: skip
    for header in headers:
        cmd += ["-H", header]
    env = {**os.environ, "SCHEMATHESIS_HOOKS": "tests.fuzz_hooks", "NO_COLOR": "1"}
    return subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True, timeout=600)


@pytest.mark.parametrize("keys", [False, True], ids=["open", "keyed"])
def test_every_route_keeps_its_documented_contract(keys, api_store, api_answerer, tmp_path):
    update = {"rate_limit": 0}  # the fuzzer is one client sending hundreds of requests
    if keys:
        update["api_keys"] = clean_settings(api_keys=KEYS).api_keys
    settings = api_store.settings.model_copy(update=update)
    with LiveServer(create_app(settings, api_answerer)) as server:
        done = fuzz(server, *([f"Authorization: Bearer {KEYS[0]}"] if keys else []))
    summary = done.stdout[done.stdout.find("SUMMARY") :]
    assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-2000:]
    # Warnings (say "repeatedly returned 404" for made-up case numbers) are not failures.
    assert "Failures:" not in summary and "Tested: 8" in summary, summary
